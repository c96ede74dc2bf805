import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AslDefinition, demoFunctions, ensureHandlerAssets, newStack, stateMachineDefinition, transitions } from './helpers';
import { AutoRemediation } from '../../src';
import { STATE_NAMES as S } from '../../src/workflow/definition';

// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl: (definition: unknown) => { isValid: boolean; errors: unknown[] } = require('asl-validator');

// Synthesis needs the handler bundles; build any that are missing before the suites below construct stacks.
ensureHandlerAssets();

function synthesizeDefinition(): AslDefinition {
  const { stack } = newStack();
  const fns = demoFunctions(stack, 2);
  new AutoRemediation(stack, 'AutoRemediation', { functions: fns, approvalTimeout: Duration.hours(4) });
  return stateMachineDefinition(Template.fromStack(stack));
}

describe('the remediation state machine', () => {
  // GIVEN the default construct WHEN synthesized
  const definition = synthesizeDefinition();
  const states = definition.States;

  test('passes asl-validator once tokens are placeholder ARNs', () => {
    const result = validateAsl(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  test('uses JSONPath (no JSONata, no Assign variables)', () => {
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(JSON.stringify(definition)).not.toContain('"Assign"');
  });

  test('a follow-up waits its interval before normalize, so it holds no lock while it waits (issue 11 item 3)', () => {
    expect(states[S.IS_FOLLOW_UP].Choices).toEqual([{
      And: [
        { Variable: '$.event.source', IsPresent: true },
        { Variable: '$.event.source', StringEquals: 'lambda-auto-remediation' },
        { Variable: '$.event.detail.waitSeconds', IsPresent: true },
        { Variable: '$.event.detail.waitSeconds', IsNumeric: true },
      ],
      Next: S.FOLLOW_UP_WAIT,
    }]);
    expect(states[S.FOLLOW_UP_WAIT]).toMatchObject({ Type: 'Wait', SecondsPath: '$.event.detail.waitSeconds', Next: S.NORMALIZE });
  });

  test('runs DESIGN.md states in order on the repair path', () => {
    expect(definition.StartAt).toBe(S.INIT);
    expect(states[S.INIT].Next).toBe(S.IS_FOLLOW_UP);
    expect(states[S.IS_FOLLOW_UP].Default).toBe(S.NORMALIZE);
    expect(states[S.NORMALIZE].Next).toBe(S.IS_ACCEPTED);
    expect(states[S.IS_ACCEPTED].Choices).toEqual([
      expect.objectContaining({ Variable: '$.alarm.status', StringEquals: 'ACCEPTED', Next: S.COLLECT }),
    ]);
    expect(states[S.IS_ACCEPTED].Default).toBe(S.NOTIFY);
    expect(states[S.COLLECT].Next).toBe(S.DIAGNOSE);
    expect(states[S.DIAGNOSE].Next).toBe(S.DECIDE);
    expect(states[S.DECIDE].Choices!.map(c => [c.StringEquals, c.Next])).toEqual([
      ['REPAIR', S.REPAIR],
      ['REQUEST_APPROVAL', S.APPROVAL],
    ]);
    expect(states[S.DECIDE].Default).toBe(S.NOTIFY);
    expect(states[S.REPAIR].Next).toBe(S.IS_REPAIRED);
    expect(states[S.IS_REPAIRED].Choices).toEqual([
      expect.objectContaining({ Variable: '$.repair.status', StringEquals: 'SUCCEEDED', Next: S.WAIT }),
    ]);
    expect(states[S.IS_REPAIRED].Default).toBe(S.NOTIFY);
    expect(states[S.WAIT]).toMatchObject({ Type: 'Wait', SecondsPath: '$.repair.verifyAfterSeconds', Next: S.VERIFY });
    expect(states[S.VERIFY].Next).toBe(S.CHECK_VERIFICATION);
    expect(states[S.CHECK_VERIFICATION].Choices!.map(c => [c.StringEquals, c.Next])).toEqual([
      ['EXTEND', S.EXTEND],
      ['ROLLBACK', S.ROLLBACK],
    ]);
    expect(states[S.CHECK_VERIFICATION].Default).toBe(S.NOTIFY);
    expect(states[S.EXTEND]).toMatchObject({ Type: 'Wait', SecondsPath: '$.verification.extendSeconds', Next: S.VERIFY });
    expect(states[S.ROLLBACK].Next).toBe(S.NOTIFY);
    expect(states[S.NOTIFY].Next).toBe(S.CHECK_OUTCOME);
    expect(states[S.CHECK_OUTCOME].Choices).toEqual([
      expect.objectContaining({ Variable: '$.outcome.outcome', StringEquals: 'FAILED', Next: S.FAILED }),
    ]);
    expect(states[S.CHECK_OUTCOME].Default).toBe(S.DONE);
    expect(states[S.DONE].Type).toBe('Succeed');
    expect(states[S.FAILED].Type).toBe('Fail');
  });

  test('initializes the state from the execution context and the raw event', () => {
    expect(states[S.INIT].Parameters).toEqual({
      'executionId.$': '$$.Execution.Id',
      'startedAt.$': '$$.Execution.StartTime',
      // Normalize and finalize start executions of this machine (fan-out, re-examination).
      'stateMachineArn.$': '$$.StateMachine.Id',
      'event.$': '$',
    });
  });

  test('a failed NotifyResult no longer relies on the lock TTL: the cleanup releases on FAILED', () => {
    expect(states[S.FINALIZE_FAILED]).toMatchObject({ Type: 'Fail', Cause: expect.stringContaining('cleanup handler releases the lock') });
    expect(JSON.stringify(states[S.FINALIZE_FAILED])).not.toContain('TTL');
  });

  test('writes each handler output to its contract result path', () => {
    expect(states[S.NORMALIZE].ResultPath).toBe('$.alarm');
    expect(states[S.COLLECT].ResultPath).toBe('$.collection');
    expect(states[S.DIAGNOSE].ResultPath).toBe('$.diagnosis');
    expect(states[S.APPROVAL].ResultPath).toBe('$.approval');
    expect(states[S.REPAIR].ResultPath).toBe('$.repair');
    expect(states[S.VERIFY].ResultPath).toBe('$.verification');
    expect(states[S.ROLLBACK].ResultPath).toBe('$.rollback');
    expect(states[S.NOTIFY].ResultPath).toBe('$.outcome');
  });

  test('invokes the Lambda functions directly (payload response only)', () => {
    for (const name of [S.NORMALIZE, S.COLLECT, S.DIAGNOSE, S.REPAIR, S.VERIFY, S.ROLLBACK, S.NOTIFY]) {
      expect(states[name].Resource).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:/);
      expect(states[name].Parameters).toBeUndefined();
    }
  });

  test('every task retries the transient named errors and catches everything into NotifyResult', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks).toHaveLength(8);
    for (const [name, state] of tasks) {
      expect(state.Retry).toEqual([expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['ThrottledError', 'UpdateConflictError', 'DependencyTimeoutError', 'Lambda.TooManyRequestsException']),
        MaxAttempts: 4,
      })]);
      expect(state.Retry![0].ErrorEquals).not.toContain('RepairFailedError');
      const catchAll = state.Catch!.find(c => c.ErrorEquals.includes('States.ALL'))!;
      expect(catchAll.ResultPath).toBe('$.error');
      expect(catchAll.Next).toBe(name === S.NOTIFY ? S.FINALIZE_FAILED : S.NOTIFY);
    }
  });

  test('asks for approval with a task token and a timeout that ends in NotifyResult', () => {
    const approval = states[S.APPROVAL];
    expect(approval.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(approval.TimeoutSeconds).toBe(4 * 3600);
    expect(approval.Parameters).toMatchObject({
      Payload: { 'taskToken.$': '$$.Task.Token', 'state.$': '$' },
    });
    expect(approval.Catch!.map(c => [c.ErrorEquals, c.Next])).toEqual([
      [['States.Timeout'], S.NOTIFY],
      [['ApprovalRejected'], S.NOTIFY],
      [['States.ALL'], S.NOTIFY],
    ]);
    expect(approval.Next).toBe(S.IS_APPROVED);
    expect(states[S.IS_APPROVED].Choices![0].Next).toBe(S.REPAIR);
    expect(states[S.IS_APPROVED].Default).toBe(S.NOTIFY);
  });

  test('every state is reachable and every path ends in NotifyResult before finishing', () => {
    const reachable = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (reachable.has(name)) continue;
      reachable.add(name);
      queue.push(...transitions(states[name]));
    }
    expect([...reachable].sort()).toEqual(Object.keys(states).sort());
    // Only NotifyResult (and its own outcome states) lead to a terminal state.
    const terminals = Object.entries(states).filter(([, s]) => ['Succeed', 'Fail'].includes(s.Type)).map(([n]) => n);
    for (const [name, state] of Object.entries(states)) {
      const targets = transitions(state).filter(t => terminals.includes(t));
      if (targets.length > 0) expect([S.NOTIFY, S.CHECK_OUTCOME]).toContain(name);
    }
  });
});
