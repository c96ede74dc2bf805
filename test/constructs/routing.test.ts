/**
 * Which events start the workflow and which alarms watch it: the rule pattern matched against
 * the documented CloudWatch events (test/fixtures/aws-events) with EventBridge's matching
 * (src/simulation/event-pattern.ts), the cleanup rule against the documented Step Functions
 * status events, the alarms on the workflow itself, and the rights these need.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCOUNT, demoFunctions, ensureHandlerAssets, newStack, REGION, resolveIntrinsics } from './helpers';
import { AutoRemediation } from '../../src';
import { DiagnosisService } from '../../src/diagnosis/diagnosis-service';
import { RepairExecutor } from '../../src/repair/repair-executor';
import { matchesPattern } from '../../src/simulation/event-pattern';
import { RemediationStore } from '../../src/store/remediation-store';
import { VerificationService } from '../../src/verification/verification-service';
import { RemediationWorkflow } from '../../src/workflow/remediation-workflow';

ensureHandlerAssets();

const FIXTURES = path.join(__dirname, '..', 'fixtures');

interface Statement { Action: string | string[]; Resource: string | string[] }
const EXISTING = 'legacy-orders-errors';

function fixture(...parts: string[]): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, ...parts), 'utf8'));
}

/** A documented CloudWatch event, renamed to `alarmName` (nothing else changed). */
function renamed(file: string, alarmName: string): any {
  const e = fixture('aws-events', file);
  e.detail.alarmName = alarmName;
  e.resources = [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`];
  return e;
}

function synth(extra: { existing?: string[]; encrypted?: boolean; byTag?: boolean } = {}) {
  const { stack } = newStack();
  const existingAlarms = (extra.existing ?? [EXISTING]).map((name, i) =>
    cloudwatch.Alarm.fromAlarmArn(stack, `Existing${i}`, `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`));
  const remediation = new AutoRemediation(stack, 'AutoRemediation', {
    functions: demoFunctions(stack, 2),
    monitoring: { alarmNamePrefix: 'team', existingAlarms },
    ...(extra.encrypted ? { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) } : {}),
  });
  if (extra.byTag) remediation.workflow.selectFunctionsByTag('team', 'payments');
  const template = Template.fromStack(stack);
  return { stack, template, remediation };
}

function rulePattern(template: Template, source: string): Record<string, unknown> {
  const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(r => r.Properties.EventPattern?.source?.[0] === source);
  expect(rules).toHaveLength(1);
  return resolveIntrinsics(rules[0].Properties.EventPattern, template) as Record<string, unknown>;
}

describe('the alarm rule', () => {
  const { template, remediation } = synth();
  const pattern = rulePattern(template, 'aws.cloudwatch');
  const matches = (event: unknown) => matchesPattern(pattern, event);

  test('the documented events, as AWS sends them, match nothing of ours', () => {
    for (const file of ['single-metric.json', 'metric-math.json', 'anomaly-detection.json', 'composite.json', 'metrics-insights-alarm.json', 'metrics-insights-contributor.json']) {
      expect([file, matches(fixture('aws-events', file))]).toEqual([file, false]);
    }
  });

  test('per-function alarms (<prefix>-fn-*): their state changes match, in any alarm shape', () => {
    expect(matches(renamed('single-metric.json', 'team-fn-Errors-orders'))).toBe(true);
    expect(matches(renamed('metric-math.json', 'team-fn-ErrorRate-orders'))).toBe(true);
    expect(matches(renamed('anomaly-detection.json', 'team-fn-DurationAnomaly-orders'))).toBe(true);
    // A contributor event is never one of theirs.
    expect(matches(renamed('metrics-insights-contributor.json', 'team-fn-Errors-orders'))).toBe(false);
  });

  test('fleet alarms (<prefix>-fleet-*): contributor events match, the alarm-level event does not', () => {
    expect(matches(renamed('metrics-insights-contributor.json', 'team-fleet-Errors'))).toBe(true);
    expect(matches(renamed('metrics-insights-alarm.json', 'team-fleet-Errors'))).toBe(false);
  });

  test('memory log alarms (<prefix>-mem-*): any event matches, whatever its shape', () => {
    expect(matches(renamed('metrics-insights-alarm.json', 'team-mem-1'))).toBe(true);
    expect(matches(renamed('metrics-insights-contributor.json', 'team-mem-1'))).toBe(true);
    expect(matches(renamed('hypothetical/log-alarm-parent.json', 'team-mem-1'))).toBe(true);
  });

  test('existing alarms by exact name: state changes match, a longer name or a contributor event does not', () => {
    expect(matches(renamed('composite.json', EXISTING))).toBe(true);
    expect(matches(renamed('single-metric.json', `${EXISTING}-2`))).toBe(false);
    expect(matches(renamed('metrics-insights-contributor.json', EXISTING))).toBe(false);
  });

  test('only transitions into ALARM, only from the stack\'s account', () => {
    const ok = renamed('single-metric.json', 'team-fn-Errors-orders');
    ok.detail.state.value = 'OK';
    expect(matches(ok)).toBe(false);
    const elsewhere = renamed('single-metric.json', 'team-fn-Errors-orders');
    elsewhere.account = '999999999999';
    expect(matches(elsewhere)).toBe(false);
    expect(pattern.account).toEqual([ACCOUNT]);
  });

  test('the workflow\'s own alarms are never routed to the workflow', () => {
    expect(remediation.workflow.workflowAlarms).toHaveLength(4);
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(a => ['AWS/States', 'AWS/SQS'].includes(a.Properties.Namespace))
      .map(a => a.Properties.AlarmName as string);
    expect(names).toHaveLength(4);
    for (const name of names) expect(name).toMatch(/^TestStack-AutoRemediation-Workflow-[0-9A-F]{8}-(ExecutionsFailed|ExecutionsTimedOut|ExecutionsAborted|DeadLetters)$/);
    for (const name of names) expect([name, matches(renamed('single-metric.json', name))]).toEqual([name, false]);
  });

  test('fails when a bare prefix would route the workflow\'s own alarms', () => {
    const { stack } = newStack();
    const store = new RemediationStore(stack, 'Store');
    const parts = {
      store,
      diagnosis: new DiagnosisService(stack, 'Diagnosis', { store }),
      repair: new RepairExecutor(stack, 'Repair', { store }),
      verification: new VerificationService(stack, 'Verification', { store }),
    };
    expect(() => new RemediationWorkflow(stack, 'Workflow', { ...parts, alarmNamePrefix: 'TestStack-' }))
      .toThrow(/the workflow alarm TestStack-Workflow-[0-9A-F]{8}-ExecutionsFailed would be routed to the workflow/);
  });

  test('"Event pattern | 2048 characters maximum" (EventBridge quotas)', () => {
    expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(2048);
    const many = synth({ existing: Array.from({ length: 20 }, (_, i) => `legacy-service-${String(i).padStart(2, '0')}-errors-alarm-for-the-orders-api-prod`) });
    expect(JSON.stringify(rulePattern(many.template, 'aws.cloudwatch')).length).toBeLessThanOrEqual(2048);
  });

  test('fails when the existing alarms\' names would take the pattern over 2,048 characters', () => {
    expect(() => synth({ existing: Array.from({ length: 40 }, (_, i) => `legacy-service-${String(i).padStart(2, '0')}-errors-alarm-for-the-orders-api-prod`) }))
      .toThrow(/the alarm rule's event pattern would be \d+ characters, over EventBridge's 2048/);
  });
});

describe('the cleanup rule', () => {
  const { template, stack } = synth();
  const pattern = rulePattern(template, 'aws.states');
  const machineArn = (pattern.detail as { stateMachineArn: string[] }).stateMachineArn[0];
  const ofThisMachine = (file: string) => {
    const e = fixture('sfn-events', file);
    e.detail.stateMachineArn = machineArn;
    return e;
  };

  test('"status ... one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, or ABORTED": FAILED, TIMED_OUT and ABORTED of this machine reach the cleanup', () => {
    for (const file of ['execution-failed.json', 'execution-timed-out.json', 'execution-aborted.json']) {
      expect([file, matchesPattern(pattern, ofThisMachine(file))]).toEqual([file, true]);
    }
    expect(matchesPattern(pattern, ofThisMachine('execution-succeeded.json'))).toBe(false);
    // The documented events are of another state machine.
    expect(matchesPattern(pattern, fixture('sfn-events', 'execution-failed.json'))).toBe(false);
  });

  test('targets the cleanup handler, with retries and the dead-letter queue; failed invocations go there too', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule')).find(r => r.Properties.EventPattern.source[0] === 'aws.states')!;
    const [target] = rule.Properties.Targets;
    const cleanup = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]) => String(f.Properties.Description).includes('Step Functions Execution Status Change'))!;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [cleanup[0], 'Arn'] });
    expect(target.DeadLetterConfig).toBeDefined();
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 8 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: cleanup[0] },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } } },
    });
    expect(stack.resolve(machineArn)).toBeDefined();
  });
});

describe('alarms on the workflow itself', () => {
  const { template } = synth();
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .filter(a => ['AWS/States', 'AWS/SQS'].includes(a.Properties.Namespace));

  test('executions failed, timed out, aborted and dead letters each alarm to the notification topic', () => {
    expect(alarms.map(a => [a.Properties.Namespace, a.Properties.MetricName]).sort()).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible'],
      ['AWS/States', 'ExecutionsAborted'],
      ['AWS/States', 'ExecutionsFailed'],
      ['AWS/States', 'ExecutionsTimedOut'],
    ]);
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
  });

  test('with a customer managed key, CloudWatch may use it to publish to the encrypted topic', () => {
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    const { template: encrypted } = synth({ encrypted: true });
    const key = Object.values(encrypted.findResources('AWS::KMS::Key'))[0];
    expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    })]));
  });
});

describe('rights for the intake and the lock', () => {
  const statementsOf = (template: Template, filter: (id: string) => boolean) => Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => filter(id))
    .flatMap(([, p]) => (resolveIntrinsics(p.Properties.PolicyDocument, template) as { Statement: Statement[] }).Statement);
  const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

  test('normalize reads this stack\'s alarms by prefix and the existing ones by ARN, and no ListTags outside tag mode', () => {
    const { template } = synth();
    const normalize = statementsOf(template, id => id.includes('WorkflowNormalizeRole'));
    const reads = normalize.find(s => list(s.Action).includes('cloudwatch:DescribeAlarmContributors'))!;
    expect(list(reads.Action).sort()).toEqual(['cloudwatch:DescribeAlarmContributors', 'cloudwatch:DescribeAlarms']);
    expect(list(reads.Resource)).toEqual([
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:team-*`,
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${EXISTING}`,
    ]);
    expect(normalize.find(s => list(s.Action).includes('cloudwatch:GetMetricData'))?.Resource).toBe('*');
    expect(normalize.some(s => list(s.Action).includes('lambda:ListTags'))).toBe(false);
  });

  test('in tag mode normalize may read function tags, and MANAGED_FUNCTIONS says tag:<key>=<value>', () => {
    const { template } = synth({ byTag: true });
    const tags = statementsOf(template, id => id.includes('WorkflowNormalizeRole')).find(s => list(s.Action).includes('lambda:ListTags'))!;
    expect(tags.Resource).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:*`);
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(f => f.Properties.Environment?.Variables?.MANAGED_FUNCTIONS)!;
    expect(fn.Properties.Environment.Variables.MANAGED_FUNCTIONS).toBe('tag:team=payments');
  });

  test('normalize and finalize may start this state machine, in policies their functions do not depend on (no cycle)', () => {
    // Template.fromStack refuses a template with a dependency cycle ("Template is undeployable"),
    // which function -> its default policy -> state machine -> function would be.
    const { template } = synth();
    const resources = template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[]; Properties?: unknown }>;
    const machine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    const starters = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy'
      && JSON.stringify(r.Properties).includes('states:StartExecution') && JSON.stringify(r.Properties).includes(machine));
    expect(starters.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/CleanupRoleDefaultPolicy/),
      expect.stringMatching(/FinalizeStartsExecutions/),
      expect.stringMatching(/NormalizeStartsExecutions/),
      expect.stringMatching(/StateMachineEventsRoleDefaultPolicy/), // the alarm rule's target role
    ]);
    for (const [id] of starters.filter(([x]) => /StartsExecutions/.test(x))) {
      for (const fn of Object.values(resources).filter(r => r.Type === 'AWS::Lambda::Function')) {
        expect(fn.DependsOn ?? []).not.toContain(id);
      }
    }
  });
});
