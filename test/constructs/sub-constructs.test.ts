import * as fs from 'fs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { demoFunctions, ensureHandlerAssets, newStack } from './helpers';
import {
  AlarmKind, DiagnosisService, RemediationMonitoring, RemediationStore, RemediationWorkflow,
  RepairExecutor, VerificationService,
} from '../../src';

// Synthesis needs the handler bundles; build any that are missing before the suites below construct stacks.
ensureHandlerAssets();

describe('RemediationMonitoring on its own', () => {
  test('gives each function its own alarms, the first 50 functions in this stack and the next in nested stacks of 150', () => {
    // GIVEN 210 functions imported by name
    const { app, stack } = newStack();
    const fns = Array.from({ length: 210 }, (_, i) => lambda.Function.fromFunctionName(stack, `Fn${i}`, `orders-${i}`));
    // WHEN
    const monitoring = new RemediationMonitoring(stack, 'Monitoring', {
      functions: fns,
      alarmNamePrefix: 'orders-remediation',
      memoryUtilization: { enabled: false },
    });
    const template = Template.fromStack(stack);
    // THEN
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(50);
    template.resourceCountIs('AWS::CloudFormation::Stack', 2);
    const assembly = app.synth();
    const nested = assembly.stacks[0].assembly.directory;
    const shards = fs.readdirSync(nested).filter((f: string) => f.endsWith('.nested.template.json'))
      .map((f: string) => JSON.parse(fs.readFileSync(`${nested}/${f}`, 'utf8')));
    expect(shards.map((t: any) => Object.keys(t.Resources).length).sort()).toEqual([10, 150]);
    expect(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'orders-remediation-fn-Errors-orders-0' } })).not.toEqual({});
    template.resourceCountIs('AWS::CloudWatch::LogAlarm', 0);
    expect(monitoring.alarms).toHaveLength(210);
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
    const durations = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'Duration' } }));
    expect(durations).toHaveLength(1);
    expect(durations[0].Properties).toMatchObject({ Threshold: 30000, EvaluationPeriods: 3, DatapointsToAlarm: 3, Period: 300 });
    const logAlarm = Object.values(template.findResources('AWS::CloudWatch::LogAlarm'))[0];
    expect(logAlarm.Properties.ScheduledQueryConfiguration.LogGroupIdentifiers).toHaveLength(1);
  });

  test('fails when datapointsToAlarm exceeds evaluationPeriods, or a threshold is negative', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    expect(() => new RemediationMonitoring(stack, 'M1', { functions: [fn], errors: { evaluationPeriods: 2, datapointsToAlarm: 3 } }))
      .toThrow('Errors datapointsToAlarm must be a whole number between 1 and evaluationPeriods (2), got 3');
    expect(() => new RemediationMonitoring(stack, 'M2', { functions: [fn], errors: { threshold: -1 } }))
      .toThrow('errors threshold must be a number of at least 0, got -1');
  });

  test('fails when the fleet tag key is not a Metrics Insights identifier', () => {
    const { stack } = newStack();
    expect(() => new RemediationMonitoring(stack, 'Monitoring', { fleet: { tagKey: 'team:name', tagValue: 'x' } }))
      .toThrow("fleet.tagKey must be letters, digits and underscores (a Metrics Insights identifier), got 'team:name'");
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
