import { Template } from 'aws-cdk-lib/assertions';
import { AslDefinition, demoFunctions, ensureHandlerAssets, newStack, stateMachineDefinition } from './helpers';
import { AutoRemediation } from '../../src';
import { STATE_NAMES as S } from '../../src/workflow/definition';

/** The part of aws-local-stepfunctions used here (its type declarations are ESM-only). */
interface LocalStateMachine {
  run(input: unknown, options: unknown): { result: Promise<unknown> };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as {
  StateMachine: new (definition: unknown, options?: unknown) => LocalStateMachine;
};

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+); give Node 20 the same.
const P = Promise as unknown as { withResolvers?: () => unknown };
if (!P.withResolvers) {
  P.withResolvers = () => {
    let resolve: unknown;
    let reject: unknown;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

// Synthesis needs the handler bundles; build any that are missing before the suites below construct stacks.
ensureHandlerAssets();

/** An error as a handler throws it: its name is what Retry and Catch match. */
function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

const ALARM_EVENT = {
  'detail-type': 'CloudWatch Alarm Contributor State Change',
  'source': 'aws.cloudwatch',
  'detail': { alarmName: 'LambdaAutoRemediation-x-Errors-1', state: { value: 'ALARM' } },
};

type Handler = (input: any) => unknown;

/**
 * Run the synthesized definition with local stand-ins for the eight handlers that answer as the
 * contract says; returns the states visited (task names, in order) and the final output.
 */
async function execute(definition: AslDefinition, handlers: Partial<Record<string, Handler>>) {
  const visited: string[] = [];
  const defaults: Record<string, Handler> = {
    [S.NORMALIZE]: () => ({ status: 'ACCEPTED', reason: 'ok', functionName: 'orders' }),
    [S.COLLECT]: () => ({ functionName: 'orders', evidenceKey: { pk: 'EXECUTION#1', sk: 'EVIDENCE' } }),
    [S.DIAGNOSE]: () => ({ action: 'REPAIR', originalMemoryMb: 128, targetMemoryMb: 256 }),
    [S.APPROVAL]: () => ({ approved: true, approver: 'alice' }),
    [S.REPAIR]: () => ({ status: 'SUCCEEDED', originalMemoryMb: 128, newMemoryMb: 256, verifyAfterSeconds: 900 }),
    [S.VERIFY]: () => ({ status: 'SUCCEEDED', next: 'DONE', attempt: 1, extendSeconds: 0 }),
    [S.ROLLBACK]: () => ({ status: 'ROLLED_BACK', restoredMemoryMb: 128 }),
    [S.NOTIFY]: (state: any) => ({ outcome: state.error ? 'FAILED' : 'REPAIRED', reason: state.error?.Error ?? 'ok' }),
  };
  const taskResourceLocalHandlers = Object.fromEntries(Object.keys(defaults).map(name => [name, async (input: any) => {
    visited.push(name);
    return (handlers[name] ?? defaults[name])(input);
  }]));
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const execution = machine.run(ALARM_EVENT, {
    overrides: {
      taskResourceLocalHandlers,
      waitTimeOverrides: { [S.WAIT]: 0, [S.EXTEND]: 0 },
      retryIntervalOverrides: Object.fromEntries(Object.keys(defaults).map(n => [n, 0])),
    },
    context: {
      Execution: { Id: 'exec-1', StartTime: '2026-11-28T12:00:00Z' },
      StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:remediation', Name: 'remediation' },
      Task: { Token: 'token-1' },
    },
  });
  try {
    const output = await execution.result as any;
    return { visited, output, failed: undefined as undefined | Error };
  } catch (e) {
    return { visited, output: undefined, failed: e as Error };
  }
}

describe('executing the synthesized state machine (aws-local-stepfunctions)', () => {
  // GIVEN the definition AutoRemediation synthesizes
  const { stack } = newStack();
  new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1) });
  const definition = stateMachineDefinition(Template.fromStack(stack));

  test('repairs, verifies and notifies on the happy path', async () => {
    const run = await execute(definition, {});
    expect(run.failed).toBeUndefined();
    expect(run.visited).toEqual([S.NORMALIZE, S.COLLECT, S.DIAGNOSE, S.REPAIR, S.VERIFY, S.NOTIFY]);
    expect(run.output).toMatchObject({
      executionId: 'exec-1',
      event: ALARM_EVENT,
      alarm: { status: 'ACCEPTED' },
      repair: { status: 'SUCCEEDED', newMemoryMb: 256 },
      verification: { next: 'DONE' },
      outcome: { outcome: 'REPAIRED' },
    });
  });

  test('extends the verification once, then rolls back and notifies', async () => {
    let verifications = 0;
    const run = await execute(definition, {
      [S.VERIFY]: () => (++verifications === 1
        ? { status: 'INCONCLUSIVE', next: 'EXTEND', attempt: 1, extendSeconds: 600 }
        : { status: 'FAILED', next: 'ROLLBACK', attempt: 2, extendSeconds: 0 }),
      [S.NOTIFY]: (state: any) => ({ outcome: state.rollback ? 'ROLLED_BACK' : 'REPAIRED', reason: 'verification failed' }),
    });
    expect(run.visited).toEqual([S.NORMALIZE, S.COLLECT, S.DIAGNOSE, S.REPAIR, S.VERIFY, S.VERIFY, S.ROLLBACK, S.NOTIFY]);
    expect(run.output).toMatchObject({ rollback: { status: 'ROLLED_BACK' }, outcome: { outcome: 'ROLLED_BACK' } });
  });

  test('ends with a notification and no repair when the lock is already taken', async () => {
    const run = await execute(definition, {
      [S.NORMALIZE]: () => ({ status: 'ALREADY_IN_PROGRESS', reason: 'lock held', functionName: 'orders' }),
      [S.NOTIFY]: () => ({ outcome: 'ALREADY_IN_PROGRESS', reason: 'lock held' }),
    });
    expect(run.visited).toEqual([S.NORMALIZE, S.NOTIFY]);
    expect(run.output).toMatchObject({ outcome: { outcome: 'ALREADY_IN_PROGRESS' } });
  });

  test('asks for approval and repairs only when approved', async () => {
    const approvedRun = await execute(definition, { [S.DIAGNOSE]: () => ({ action: 'REQUEST_APPROVAL' }) });
    expect(approvedRun.visited).toEqual([S.NORMALIZE, S.COLLECT, S.DIAGNOSE, S.APPROVAL, S.REPAIR, S.VERIFY, S.NOTIFY]);
    const rejectedRun = await execute(definition, {
      [S.DIAGNOSE]: () => ({ action: 'REQUEST_APPROVAL' }),
      [S.APPROVAL]: () => ({ approved: false, approver: 'bob' }),
      [S.NOTIFY]: () => ({ outcome: 'REJECTED', reason: 'bob said no' }),
    });
    expect(rejectedRun.visited).toEqual([S.NORMALIZE, S.COLLECT, S.DIAGNOSE, S.APPROVAL, S.NOTIFY]);
    expect(rejectedRun.output).toMatchObject({ approval: { approved: false }, outcome: { outcome: 'REJECTED' } });
  });

  test('retries a transient named error and carries on', async () => {
    let calls = 0;
    const run = await execute(definition, {
      [S.DIAGNOSE]: () => {
        if (++calls < 3) throw named('ThrottledError', 'bedrock throttled');
        return { action: 'NO_ACTION', reason: 'not a memory issue' };
      },
      [S.NOTIFY]: () => ({ outcome: 'NO_ACTION', reason: 'not a memory issue' }),
    });
    expect(calls).toBe(3);
    expect(run.failed).toBeUndefined();
    expect(run.output).toMatchObject({ diagnosis: { action: 'NO_ACTION' }, outcome: { outcome: 'NO_ACTION' } });
  });

  test('fails when a handler throws a fatal error: caught once into NotifyResult, then RemediationFailed', async () => {
    let collects = 0;
    let notified: any;
    const run = await execute(definition, {
      [S.COLLECT]: () => {
        collects++;
        throw named('AccessDeniedError', 'not authorized to perform logs:FilterLogEvents');
      },
      [S.NOTIFY]: (state: any) => {
        notified = state;
        return { outcome: 'FAILED', reason: state.error.Error };
      },
    });
    expect(collects).toBe(1); // fatal errors are not retried
    expect(run.visited).toEqual([S.NORMALIZE, S.COLLECT, S.NOTIFY]);
    // NotifyResult sees what failed, and still has the lock information to release it.
    expect(notified.error.Error).toBe('AccessDeniedError');
    expect(notified.alarm).toMatchObject({ status: 'ACCEPTED', functionName: 'orders' });
    expect(run.failed?.message).toBe('Execution has failed with the following error: see $.outcome.reason in the execution output');
  });
});
