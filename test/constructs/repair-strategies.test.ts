import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack, resolveIntrinsics, stateMachineDefinition } from './helpers';
import { AutoRemediation, RepairStrategy, Workflow } from '../../src';
import { STATE_NAMES as S } from '../../src/workflow/definition';

ensureHandlerAssets();

/** The REMEDIATION_POLICY the repair handler reads. */
function repairPolicy(template: Template): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('UpdateFunctionConfiguration MemorySize with the collected RevisionId') } });
  const ids = Object.keys(fns);
  expect(ids).toHaveLength(1);
  const env = resolveIntrinsics(fns[ids[0]].Properties.Environment.Variables, template) as Record<string, string>;
  return JSON.parse(env.REMEDIATION_POLICY) as Record<string, unknown>;
}

function resourceCounts(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  return counts;
}

function synth(repairStrategy?: RepairStrategy, alias = false): { template: Template; remediation: AutoRemediation } {
  const { stack } = newStack();
  const [fn, served] = demoFunctions(stack, alias ? 2 : 1);
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [fn], ...(repairStrategy ? { repairStrategy } : {}) });
  // A function callers invoke through its alias: the canary goes through it.
  if (alias) remediation.addFunction(served, { alias: new lambda.Alias(stack, 'Live', { aliasName: 'live', version: served.currentVersion }) });
  return { template: Template.fromStack(stack), remediation };
}

describe('GIVEN no repairStrategy (the default)', () => {
  const { template } = synth();

  test('THEN the stack has exactly the resources it had before repair strategies existed', () => {
    // Counted on main before this feature (the template was byte-identical when compared there).
    expect(resourceCounts(template)).toEqual({
      'AWS::CloudWatch::Alarm': 6,
      'AWS::CloudWatch::Dashboard': 1,
      'AWS::CloudWatch::LogAlarm': 1,
      'AWS::DynamoDB::Table': 1,
      'AWS::Events::Rule': 2,
      'AWS::IAM::ManagedPolicy': 6,
      'AWS::IAM::Policy': 14,
      'AWS::IAM::Role': 14,
      'AWS::KMS::Key': 1,
      'AWS::Lambda::EventInvokeConfig': 1,
      'AWS::Lambda::Function': 11,
      'AWS::Lambda::Permission': 1,
      'AWS::Logs::LogGroup': 11,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::StepFunctions::StateMachine': 1,
      'Custom::LambdaRemediationSetup': 1,
    });
  });

  test('THEN it equals the stack with RepairStrategy.raiseMemory() given explicitly, with no promotion step and no strategy in the policy', () => {
    expect(synth(RepairStrategy.raiseMemory()).template.toJSON()).toEqual(template.toJSON());
    expect(stateMachineDefinition(template).States[S.PROMOTE]).toBeUndefined();
    expect(repairPolicy(template).repairStrategy).toBeUndefined();
  });
});

describe('GIVEN RepairStrategy.progressive({ canaryPercent: 20, bakeTime: 10 minutes }) and a function with an alias', () => {
  const { template, remediation } = synth(RepairStrategy.progressive({ canaryPercent: 20, bakeTime: Duration.minutes(10) }), true);
  const states = stateMachineDefinition(template).States;

  test('THEN the handlers read the strategy: a 0.2 weight and a 600-second bake', () => {
    expect(repairPolicy(template).repairStrategy).toEqual({ kind: 'PROGRESSIVE', canaryWeight: 0.2, bakeTimeSeconds: 600 });
  });

  test('THEN a verification asking for PROMOTE runs PromoteCanary: the repair handler with promote: true, its result at $.promotion, then NotifyResult', () => {
    expect(states[S.CHECK_VERIFICATION].Choices).toContainEqual({ Variable: '$.verification.next', StringEquals: 'PROMOTE', Next: S.PROMOTE });
    const promote = states[S.PROMOTE];
    expect(promote.Parameters).toEqual({ 'promote': true, 'state.$': '$' });
    expect(promote.Resource).toEqual(states[S.REPAIR].Resource);
    expect(promote.ResultPath).toBe('$.promotion');
    expect(promote.Next).toBe(S.NOTIFY);
    expect(promote.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: S.NOTIFY }]);
  });

  test('THEN the repair role may publish versions of and update the alias of the managed function only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).concat(Object.values(template.findResources('AWS::IAM::ManagedPolicy')));
    const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement as any[]);
    const aliasStatements = statements.filter((s) => [s.Action].flat().includes('lambda:UpdateAlias'));
    expect(aliasStatements.length).toBeGreaterThan(0);
    for (const s of aliasStatements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });

  test('THEN cdk-nag reports nothing unacknowledged', () => {
    expect(awsSolutionsFindings(remediation)).toEqual([]);
  });
});

describe('RepairStrategy.progressive validation', () => {
  test.each([0, 51, 12.5, -5])('fails when canaryPercent is %p, naming the prop and the range', (canaryPercent) => {
    expect(() => RepairStrategy.progressive({ canaryPercent })).toThrow(
      new RegExp(`canaryPercent must be a whole number from 1 to 50 .*got ${canaryPercent}`));
  });

  test.each([Duration.seconds(30), Duration.hours(25)])('fails when bakeTime is %p', (bakeTime) => {
    expect(() => RepairStrategy.progressive({ bakeTime })).toThrow(/bakeTime must be a whole number of seconds between 1 minute and 24 hours/);
  });

  test('GIVEN no options THEN a 10 % canary bakes 15 minutes', () => {
    const s = RepairStrategy.progressive();
    expect([s.kind, s.canaryPercent, s.bakeTime?.toMinutes()]).toEqual(['PROGRESSIVE', 10, 15]);
  });

  test('fails when the progressive strategy is combined with the Lambda coordinator, saying what to use instead', () => {
    const { app, stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', {
      functions: demoFunctions(stack, 1),
      workflow: Workflow.lambdaCoordinator(),
      repairStrategy: RepairStrategy.progressive(),
    });
    expect(() => (app as App).synth()).toThrow(/RepairStrategy.progressive\(...\) needs the Step Functions workflow.*use Workflow.stepFunctions\(\) or RepairStrategy.raiseMemory\(\)/);
  });
});

describe('GIVEN RepairStrategy.custom(memoryChanger)', () => {
  const { stack } = newStack();
  const [target, memoryChanger, other] = demoFunctions(stack, 3);
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [target], repairStrategy: RepairStrategy.custom(memoryChanger, { timeout: Duration.seconds(90) }) });
  const template = Template.fromStack(stack);
  const changerId = stack.getLogicalId(memoryChanger.node.defaultChild as lambda.CfnFunction);
  const otherId = stack.getLogicalId(other.node.defaultChild as lambda.CfnFunction);

  test('THEN the handlers read the function\'s ARN and the 90-second limit', () => {
    expect(repairPolicy(template).repairStrategy).toEqual({ kind: 'CUSTOM', functionArn: expect.stringContaining(changerId), timeoutMs: 90000 });
  });

  test('THEN lambda:InvokeFunction is granted on that function alone (no version wildcard), to the repair and rollback roles only', () => {
    const invokeStatements = Object.entries(template.findResources('AWS::IAM::Policy'))
      .flatMap(([id, p]: [string, any]) => (p.Properties.PolicyDocument.Statement as any[]).map((s) => ({ id, s })))
      .filter(({ s }) => [s.Action].flat().includes('lambda:InvokeFunction') && JSON.stringify(s.Resource).includes(changerId));
    expect(invokeStatements.map(({ id }) => id).sort()).toEqual([expect.stringMatching(/RepairRepair/), expect.stringMatching(/RepairRollback/)].sort());
    for (const { s } of invokeStatements) {
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [changerId, 'Arn'] });
    }
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(otherId);
  });

  test('THEN cdk-nag reports nothing unacknowledged', () => {
    expect(awsSolutionsFindings(remediation)).toEqual([]);
  });

  test.each([Duration.millis(500), Duration.minutes(5)])('fails when the timeout is %p, naming the limit', (timeout) => {
    expect(() => RepairStrategy.custom(memoryChanger, { timeout })).toThrow(/RepairStrategy.custom timeout must be between 1 second and 4 minutes/);
  });
});
