import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { demoFunctions, ensureHandlerAssets, newStack, resolveIntrinsics } from './helpers';
import {
  AlarmKind, DiagnosisService, RemediationMonitoring, RemediationStore, RemediationWorkflow,
  RepairExecutor, VerificationService,
} from '../../src';

// Synthesis needs the handler bundles; build any that are missing before the suites below construct stacks.
ensureHandlerAssets();

describe('RemediationMonitoring on its own', () => {
  test('opens a second Metrics Insights alarm when 64-character names no longer fit one query', () => {
    // GIVEN 30 functions whose names are only known at deploy time
    const { stack } = newStack();
    const fns = demoFunctions(stack, 30);
    // WHEN
    const monitoring = new RemediationMonitoring(stack, 'Monitoring', {
      functions: fns,
      alarmNamePrefix: 'orders-remediation',
      memoryUtilization: { enabled: false },
      duration: { enabled: false },
    });
    const template = Template.fromStack(stack);
    // THEN
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map(a => a.Properties.AlarmName)).toEqual(['orders-remediation-Errors-1', 'orders-remediation-Errors-2']);
    const counts = alarms.map(a => ((resolveIntrinsics(a.Properties.Metrics[0].Expression, template) as string).match(/'/g)!.length) / 2);
    expect(counts).toEqual([28, 2]);
    template.resourceCountIs('AWS::CloudWatch::LogAlarm', 0);
    expect(monitoring.alarms).toHaveLength(2);
  });

  test('honours per-alarm settings and per-function exclusions', () => {
    const { stack } = newStack();
    const [a, b] = demoFunctions(stack, 2, Duration.seconds(60));
    const monitoring = new RemediationMonitoring(stack, 'Monitoring', {
      alarmNamePrefix: 'orders-remediation',
      duration: { threshold: 50, evaluationPeriods: 3, datapointsToAlarm: 3, period: Duration.minutes(5) },
    });
    monitoring.addFunction(a);
    monitoring.addFunction(b, { excludeAlarms: [AlarmKind.DURATION, AlarmKind.MEMORY_UTILIZATION] });
    const template = Template.fromStack(stack);
    const duration = Object.values(template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: 'orders-remediation-Duration-60s-1' },
    }))[0];
    expect(duration.Properties).toMatchObject({ Threshold: 30000, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    expect(duration.Properties.Metrics[0].Period).toBe(300);
    expect((resolveIntrinsics(duration.Properties.Metrics[0].Expression, template) as string).match(/'/g)).toHaveLength(2);
    const logAlarm = Object.values(template.findResources('AWS::CloudWatch::LogAlarm'))[0];
    expect(logAlarm.Properties.ScheduledQueryConfiguration.LogGroupIdentifiers).toHaveLength(1);
  });

  test('fails when the alarm-name prefix has characters an alarm name or a rule cannot use', () => {
    const { stack } = newStack();
    expect(() => new RemediationMonitoring(stack, 'Monitoring', { alarmNamePrefix: 'bad prefix*' }))
      .toThrow("alarmNamePrefix must be 3 to 100 letters, digits, '-', '_' or '.', known at synthesis time, got 'bad prefix*'");
  });

  test('fails when the duration threshold is not a percent of the timeout', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    expect(() => new RemediationMonitoring(stack, 'Monitoring', { functions: [fn], duration: { threshold: 150 } }))
      .toThrow('duration threshold is a percent of the timeout between 0 and 100, got 150');
  });
});

describe('RemediationStore on its own', () => {
  test('retains the table by default and uses the given key', () => {
    const { stack } = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new RemediationStore(stack, 'Store', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: Match.objectLike({ SSEType: 'KMS' }) });
  });

  test('can be destroyed with the stack when asked', () => {
    const { stack } = newStack();
    new RemediationStore(stack, 'Store', { removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('the sub-constructs composed by hand', () => {
  test('a workflow over alarms selected by prefix tells normalize to check the prefix', () => {
    // GIVEN the pieces AutoRemediation would create, without monitoring
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    const store = new RemediationStore(stack, 'Store');
    const diagnosis = new DiagnosisService(stack, 'Diagnosis', { store, functions: [fn] });
    const repair = new RepairExecutor(stack, 'Repair', { store, functions: [fn] });
    const verification = new VerificationService(stack, 'Verification', { store, functions: [fn] });
    // WHEN
    const workflow = new RemediationWorkflow(stack, 'Workflow', {
      store, diagnosis, repair, verification, alarmNamePrefix: 'team-a-lambda-', functions: [fn],
    });
    const template = Template.fromStack(stack);
    // THEN
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { alarmName: [{ prefix: 'team-a-lambda-' }], state: { value: ['ALARM'] } } }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALARM_NAME_PREFIX: 'team-a-lambda-' }) },
    });
    expect(workflow.stateMachine).toBeDefined();
  });

  test('fails when the workflow would route no alarm at all', () => {
    const { stack } = newStack();
    const store = new RemediationStore(stack, 'Store');
    const diagnosis = new DiagnosisService(stack, 'Diagnosis', { store });
    const repair = new RepairExecutor(stack, 'Repair', { store });
    const verification = new VerificationService(stack, 'Verification', { store });
    expect(() => new RemediationWorkflow(stack, 'Workflow', { store, diagnosis, repair, verification }))
      .toThrow('the workflow routes no alarm: give monitoring, alarmNamePrefix or alarms');
  });
});
