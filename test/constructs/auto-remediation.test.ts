import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ACCOUNT, demoFunctions, ensureHandlerAssets, newStack, REGION, resolveIntrinsics } from './helpers';
import { Approval, AutoRemediation } from '../../src';
import { InvalidRemediationPolicyError } from '../../src/workflow/construct-errors';

// Synthesis needs the handler bundles; build any that are missing before the suites below construct stacks.
ensureHandlerAssets();

/** The environment of the handler whose description starts with the given handler id text. */
function envOf(template: Template, descriptionPart: string): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp(descriptionPart) },
  });
  const ids = Object.keys(fns);
  expect(ids).toHaveLength(1);
  return resolveIntrinsics(fns[ids[0]].Properties.Environment.Variables, template) as Record<string, unknown>;
}

describe('AutoRemediation with every optional prop defaulted', () => {
  // GIVEN two functions with different timeouts
  const { stack } = newStack();
  const [orders] = demoFunctions(stack, 1, Duration.seconds(30), 'Orders');
  const [thumbs] = demoFunctions(stack, 1, Duration.minutes(2), 'Thumbs');
  // WHEN
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [orders, thumbs] });
  const template = Template.fromStack(stack);

  test('creates a pay-per-request table with PITR, encryption and a TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  test('encrypts the topic and the dead-letter queue at rest', () => {
    const topic = Object.values(template.findResources('AWS::SNS::Topic'))[0];
    expect(resolveIntrinsics(topic.Properties.KmsMasterKeyId, template)).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/sns`);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
  });

  test('creates one STANDARD state machine with ALL logging (no execution data) and X-Ray tracing', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  test('routes alarm state changes by alarm-name prefix, with retries and a dead-letter queue', () => {
    const prefix = remediation.monitoring.alarmNamePrefix;
    expect(prefix).toMatch(/^LambdaAutoRemediation-/);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'],
        'detail': { alarmName: [{ prefix }], state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      })],
    });
  });

  test('watches errors of both functions with one Metrics Insights alarm grouped by function', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp('-Errors-1$') },
    });
    const [alarm] = Object.values(alarms);
    const query = resolveIntrinsics(alarm.Properties.Metrics[0].Expression, template) as string;
    expect(query).toMatch(/^SELECT SUM\(Errors\) FROM SCHEMA\("AWS\/Lambda", FunctionName\) WHERE FunctionName IN \('Orders1[0-9A-F]{8}x+', 'Thumbs1[0-9A-F]{8}x+'\) GROUP BY FunctionName$/);
    expect(alarm.Properties).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('groups duration alarms by timeout, the threshold being 90 % of it in milliseconds', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-Duration-30s-1$'),
      Threshold: 27000,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-Duration-120s-1$'),
      Threshold: 108000,
    });
  });

  test('watches memory utilisation with one log alarm over both log groups', () => {
    const logAlarms = template.findResources('AWS::CloudWatch::LogAlarm');
    expect(Object.keys(logAlarms)).toHaveLength(1);
    const props = resolveIntrinsics(Object.values(logAlarms)[0].Properties, template) as any;
    expect(props.ScheduledQueryConfiguration.LogGroupIdentifiers).toEqual([
      expect.stringMatching(/^\/aws\/lambda\/Orders1[0-9A-F]{8}x+$/),
      expect.stringMatching(/^\/aws\/lambda\/Thumbs1[0-9A-F]{8}x+$/),
    ]);
    expect(props.ScheduledQueryConfiguration.QueryString).toBe('filter @type = "REPORT"'
      + ' | parse @log "*:/aws/lambda/*" as logAccount, FunctionName'
      + ' | fields FunctionName, 100 * @maxMemoryUsed / @memorySize as memoryUtilization');
    // One contributor per function, named by the FunctionName attribute normalize reads.
    expect(props.ScheduledQueryConfiguration.AggregationExpression).toBe('max(memoryUtilization) by FunctionName');
    expect(props.ScheduledQueryConfiguration.ScheduleConfiguration).toEqual({ ScheduleExpression: 'rate(5 minutes)', StartTimeOffset: 300 });
    expect(props.Threshold).toBe(90);
    expect(props.AlarmName.startsWith(remediation.monitoring.alarmNamePrefix)).toBe(true);
  });

  test('creates no throttles or anomaly-detection alarm unless asked', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp('Throttles|Anomaly') },
    }))).toHaveLength(0);
  });

  test('hands the documented policy defaults to the handlers', () => {
    const env = envOf(template, 'Rule engine always');
    expect(JSON.parse(env.REMEDIATION_POLICY as string)).toEqual({
      maxMemoryMb: 3008,
      maxStepMb: 1024,
      minConfidence: 0.7,
      cooldownSeconds: 1800,
      maxRepairsPerDay: 3,
      rollbackOnFailedVerification: true,
      verificationWindowSeconds: 900,
      approvalMode: 'NONE',
    });
    expect(env.DRY_RUN).toBe('false');
    expect(env.BEDROCK_MODEL_ID).toBeUndefined();
  });

  test('lists the managed functions for normalize and sets a lock TTL above the execution timeout', () => {
    const env = envOf(template, 'Turns the alarm state-change event');
    expect(env.MANAGED_FUNCTIONS).toMatch(/^Orders1[0-9A-F]{8}x+,Thumbs1[0-9A-F]{8}x+$/);
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    const definition = JSON.parse(String(resolveIntrinsics(machine.Properties.DefinitionString, template)));
    expect(Number(env.LOCK_TTL_SECONDS)).toBeGreaterThan(definition.TimeoutSeconds);
  });

  test('exposes the state machine, topic, table and alarms', () => {
    expect(remediation.stateMachine).toBe(remediation.workflow.stateMachine);
    expect(remediation.topic).toBe(remediation.verification.topic);
    expect(remediation.table).toBe(remediation.store.table);
    // errors, duration x2 (two timeouts), memory
    expect(remediation.alarms).toHaveLength(4);
  });

  test('creates a dashboard of alarms, runs by outcome, repairs and rollbacks', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.parse(resolveIntrinsics(dashboard.Properties.DashboardBody, template) as string);
    const titles = body.widgets.map((w: any) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      'Alarms that start remediations', 'Workflow runs', 'Runs by outcome', 'Repairs and rollbacks',
      'Latest outcomes', 'Handler errors', 'Undelivered alarm events (dead-letter queue)',
    ]);
    const outcomes = body.widgets.find((w: any) => w.properties.title === 'Runs by outcome');
    expect(outcomes.properties.query).toContain('stats count(*) as runs by outcome');
  });
});

describe('AutoRemediation options', () => {
  test('an imported function gets a log group under /aws/lambda and no duration alarm without a timeout', () => {
    // GIVEN
    const { stack } = newStack();
    const imported = lambda.Function.fromFunctionArn(stack, 'Imported', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:legacy-report`);
    // WHEN
    new AutoRemediation(stack, 'AutoRemediation', { functions: [imported] });
    const template = Template.fromStack(stack);
    // THEN
    template.hasResourceProperties('AWS::CloudWatch::LogAlarm', {
      ScheduledQueryConfiguration: Match.objectLike({ LogGroupIdentifiers: ['/aws/lambda/legacy-report'] }),
    });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp('Duration') },
    }))).toHaveLength(0);
  });

  test('a function imported by name is named literally in the alarm query and the policy', () => {
    // GIVEN a function imported with fromFunctionName (its functionName is a token over its ARN)
    const { stack } = newStack();
    const imported = lambda.Function.fromFunctionName(stack, 'ByName', 'checkout-api');
    // WHEN
    new AutoRemediation(stack, 'AutoRemediation', { functions: [imported], approval: Approval.forFunctions([imported]) });
    const template = Template.fromStack(stack);
    // THEN the names are plain strings in the template
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [Match.objectLike({ Expression: Match.stringLikeRegexp("IN \\('checkout-api'\\)") })],
    });
    template.hasResourceProperties('AWS::CloudWatch::LogAlarm', {
      ScheduledQueryConfiguration: Match.objectLike({ LogGroupIdentifiers: ['/aws/lambda/checkout-api'] }),
    });
    const policy = JSON.parse(envOf(template, 'Rule engine always').REMEDIATION_POLICY as string);
    expect(policy.approvalFunctions).toEqual(['checkout-api']);
  });

  test('an imported function with a timeout passed to addFunction gets a duration alarm', () => {
    const { stack } = newStack();
    const imported = lambda.Function.fromFunctionArn(stack, 'Imported', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:legacy-report`);
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [] });
    remediation.addFunction(imported, { timeout: Duration.seconds(10) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [Match.objectLike({ Expression: Match.stringLikeRegexp("MAX\\(Duration\\).*IN \\('legacy-report'\\)") })],
      Threshold: 9000,
    });
  });

  test('per-function overrides and selected approval reach the policy JSON', () => {
    const { stack } = newStack();
    const [a, b] = demoFunctions(stack, 2);
    const remediation = new AutoRemediation(stack, 'AutoRemediation', {
      functions: [a],
      approval: Approval.forFunctions([a]),
      dryRun: true,
    });
    remediation.addFunction(b, { maxMemoryMb: 2048, requireApproval: true });
    const template = Template.fromStack(stack);
    const env = envOf(template, 'Rule engine always');
    const policy = JSON.parse(env.REMEDIATION_POLICY as string);
    expect(policy.approvalMode).toBe('SELECTED');
    expect(policy.approvalFunctions).toEqual([expect.stringMatching(/^Target1[0-9A-F]{8}x+$/)]);
    expect(Object.values(policy.functionOverrides)).toEqual([{ maxMemoryMb: 2048, requireApproval: true }]);
    expect(env.DRY_RUN).toBe('true');
  });

  test('excluded functions are neither monitored nor repaired', () => {
    const { stack } = newStack();
    const [kept, excluded] = demoFunctions(stack, 2);
    const remediation = new AutoRemediation(stack, 'AutoRemediation', {
      functions: [kept, excluded],
      policy: { excludedFunctions: [excluded] },
    });
    const template = Template.fromStack(stack);
    expect(remediation.functions).toEqual([kept]);
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0];
    const query = resolveIntrinsics(alarm.Properties.Metrics[0].Expression, template) as string;
    expect(query).toMatch(/'Target1[0-9A-F]{8}x+'/);
    expect(query).not.toMatch(/Target2/);
    Annotations.fromStack(stack).hasInfo('/TestStack/AutoRemediation', Match.stringLikeRegexp('excludedFunctions'));
  });

  test('existing alarms are routed by name next to the prefix', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    const mine = cloudwatch.Alarm.fromAlarmName(stack, 'Mine', 'orders-p99-latency');
    const remediation = new AutoRemediation(stack, 'AutoRemediation', {
      functions: [fn],
      monitoring: { existingAlarms: [mine], throttles: { enabled: true, threshold: 5 } },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { alarmName: [{ prefix: remediation.monitoring.alarmNamePrefix }, 'orders-p99-latency'], state: { value: ['ALARM'] } },
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-Throttles-1$'),
      Threshold: 5,
    });
    expect(remediation.alarms).toContain(mine);
  });

  test('a customer key encrypts the table, topic, queue and log groups', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new AutoRemediation(stack, 'AutoRemediation', { functions: [fn], encryptionKey: key });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn } });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups.length).toBeGreaterThanOrEqual(9);
    for (const lg of logGroups) {
      expect(lg.Properties.KmsKeyId).toEqual(keyArn);
      expect(lg.Properties.RetentionInDays).toBe(30);
    }
  });

  test('fails when maxMemoryMb is above 10240', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    expect(() => new AutoRemediation(stack, 'AutoRemediation', { functions: [fn], policy: { maxMemoryMb: 12000 } }))
      .toThrow(new InvalidRemediationPolicyError('maxMemoryMb must be a whole number between 128 and 10240, got 12000'));
  });

  test('fails when minConfidence is outside 0..1', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    expect(() => new AutoRemediation(stack, 'AutoRemediation', { functions: [fn], policy: { minConfidence: 1.5 } }))
      .toThrow(/minConfidence must be between 0 and 1, got 1.5/);
  });

  test('fails when a function is added twice', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [fn] });
    expect(() => remediation.addFunction(fn)).toThrow(/already managed/);
  });

  test('fails when Approval.forFunctions gets an empty list', () => {
    expect(() => Approval.forFunctions([])).toThrow(/at least one function/);
  });
});

