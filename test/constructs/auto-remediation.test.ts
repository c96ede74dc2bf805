import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ACCOUNT, demoFunctions, ensureHandlerAssets, newStack, REGION, resolveIntrinsics } from './helpers';
import { Approval, AutoRemediation, RemediationKnowledgeBase } from '../../src';
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
    // A customer managed key of its own: CloudWatch alarm actions cannot publish under alias/aws/sns.
    const [keyId] = topic.Properties.KmsMasterKeyId['Fn::GetAtt'];
    const key = template.findResources('AWS::KMS::Key')[keyId];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
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
        'account': [ACCOUNT],
        'detail-type': ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'],
        'detail': {
          state: { value: ['ALARM'] },
          // Per alarm family (test/constructs/routing.test.ts matches the documented events against it).
          $or: [
            { alarmName: [{ prefix: `${prefix}-fn-` }], alarmContributor: { id: [{ exists: false }] } },
            { alarmName: [{ prefix: `${prefix}-mem-` }] },
            { alarmName: [{ prefix: `${prefix}-fleet-` }], alarmContributor: { id: [{ exists: true }] } },
          ],
        },
      },
      Targets: [Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      })],
    });
  });

  test('watches the errors of each function with its own alarm on the AWS/Lambda Errors metric', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'Errors' },
    }));
    expect(alarms).toHaveLength(2);
    const names = alarms.map(a => resolveIntrinsics(a.Properties.AlarmName, template));
    expect(names).toEqual([
      expect.stringMatching(new RegExp(`^${remediation.monitoring.functionAlarmNamePrefix}Errors-Orders1[0-9A-F]{8}x+$`)),
      expect.stringMatching(new RegExp(`^${remediation.monitoring.functionAlarmNamePrefix}Errors-Thumbs1[0-9A-F]{8}x+$`)),
    ]);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Period: 60,
        Threshold: 1,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(alarm.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: expect.anything() }]);
      // "WHERE supports only =, != and AND" — no Metrics Insights query at all in the default alarms
      expect(alarm.Properties.Metrics).toBeUndefined();
    }
  });

  test('watches each function\'s longest invocation against 90 % of its own timeout, in milliseconds', () => {
    const durations = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'Duration' } }));
    expect(durations.map(a => [a.Properties.Statistic, a.Properties.Threshold])).toEqual([['Maximum', 27000], ['Maximum', 108000]]);
  });

  test('watches memory utilisation with one log alarm over both log groups, text and JSON reports', () => {
    const logAlarms = template.findResources('AWS::CloudWatch::LogAlarm');
    expect(Object.keys(logAlarms)).toHaveLength(1);
    const props = resolveIntrinsics(Object.values(logAlarms)[0].Properties, template) as any;
    expect(props.ScheduledQueryConfiguration.LogGroupIdentifiers).toEqual([
      expect.stringMatching(/^\/aws\/lambda\/Orders1[0-9A-F]{8}x+$/),
      expect.stringMatching(/^\/aws\/lambda\/Thumbs1[0-9A-F]{8}x+$/),
    ]);
    const query = props.ScheduledQueryConfiguration.QueryString as string;
    // text REPORT lines and JSON platform.report records
    expect(query).toContain('filter @type = "REPORT" or type = "platform.report"');
    expect(query).toContain('100 * @maxMemoryUsed / @memorySize');
    expect(query).toContain('100 * record.metrics.maxMemoryUsedMB / record.metrics.memorySizeMB');
    // One contributor per log group, which normalize maps back to the function.
    expect(props.ScheduledQueryConfiguration.AggregationExpression).toBe('max(memoryUtilization) by logGroup');
    // The window ends two minutes before each run, for late-ingested events.
    expect(props.ScheduledQueryConfiguration.ScheduleConfiguration).toEqual({ ScheduleExpression: 'rate(5 minutes)', StartTimeOffset: 420, EndTimeOffset: 120 });
    expect(props.Threshold).toBe(90);
    expect(props.AlarmName).toBe(`${remediation.monitoring.memoryAlarmNamePrefix}1`);
  });

  test('the memory query role has the permissions the log alarm documentation lists', () => {
    // alarm-log.html: the role must allow logs:StartQuery, logs:StopQuery, logs:GetQueryResults and logs:DescribeLogGroups.
    const logAlarm = Object.values(template.findResources('AWS::CloudWatch::LogAlarm'))[0];
    const [roleId] = logAlarm.Properties.ScheduledQueryConfiguration.ScheduledQueryRoleARN['Fn::GetAtt'];
    const granted = new Set<string>();
    type Doc = { Statement: Array<{ Action: string | string[] }> };
    const grant = (doc: Doc) => doc.Statement.forEach(st => [st.Action].flat().forEach(a => granted.add(a)));
    const role = template.findResources('AWS::IAM::Role')[roleId];
    for (const p of role.Properties.Policies ?? []) grant(p.PolicyDocument);
    for (const mp of Object.values(template.findResources('AWS::IAM::ManagedPolicy'))) {
      if (JSON.stringify(mp.Properties.Roles).includes(roleId)) grant(mp.Properties.PolicyDocument);
    }
    expect([...granted].sort()).toEqual(['logs:DescribeLogGroups', 'logs:GetQueryResults', 'logs:StartQuery', 'logs:StopQuery']);
  });

  test('creates the log groups that do not exist yet at deploy time, before the log alarm queries them', () => {
    const setups = template.findResources('Custom::LambdaRemediationSetup');
    expect(Object.keys(setups)).toHaveLength(1);
    const [setupId, setup] = Object.entries(setups)[0];
    const props = resolveIntrinsics(setup.Properties, template) as any;
    expect(props.FunctionNames).toEqual([expect.stringMatching(/^Orders1/), expect.stringMatching(/^Thumbs1/)]);
    expect(props.CustomLogGroups).toEqual([]);
    const logAlarm = Object.values(template.findResources('AWS::CloudWatch::LogAlarm'))[0] as any;
    expect(logAlarm.DependsOn).toContain(setupId);
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
      followUpSeconds: 1800,
      followUpMaxRounds: 12,
      approvalMode: 'NONE',
    });
    expect(env.DRY_RUN).toBe('false');
    expect(env.BEDROCK_MODEL_ID).toBeUndefined();
  });

  test('lists the managed functions for normalize and sets a lock TTL above the execution timeout', () => {
    const env = envOf(template, 'Turns the alarm event');
    expect(env.MANAGED_FUNCTIONS).toMatch(/^Orders1[0-9A-F]{8}x+,Thumbs1[0-9A-F]{8}x+$/);
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    const definition = JSON.parse(String(resolveIntrinsics(machine.Properties.DefinitionString, template)));
    expect(Number(env.LOCK_TTL_SECONDS)).toBeGreaterThan(definition.TimeoutSeconds);
  });

  test('exposes the state machine, topic, table and alarms', () => {
    expect(remediation.stateMachine).toBe(remediation.workflow.stateMachine);
    expect(remediation.topic).toBe(remediation.verification.topic);
    expect(remediation.table).toBe(remediation.store.table);
    // errors x2, duration x2, memory
    expect(remediation.alarms).toHaveLength(5);
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

  test('a function imported by name is named literally in the alarms and the policy', () => {
    // GIVEN a function imported with fromFunctionName (its functionName is a token over its ARN)
    const { stack } = newStack();
    const imported = lambda.Function.fromFunctionName(stack, 'ByName', 'checkout-api');
    // WHEN
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [imported], approval: Approval.forFunctions([imported]) });
    const template = Template.fromStack(stack);
    // THEN the names are plain strings in the template
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${remediation.monitoring.functionAlarmNamePrefix}Errors-checkout-api`,
      Dimensions: [{ Name: 'FunctionName', Value: 'checkout-api' }],
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
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [], monitoring: { fleet: { tagValue: 'orders' } } });
    remediation.addFunction(imported, { timeout: Duration.seconds(10) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Dimensions: [{ Name: 'FunctionName', Value: 'legacy-report' }],
      Threshold: 9000,
    });
  });

  test('a function defined in the app with a custom log group is watched and read there', () => {
    // GIVEN a function whose LoggingConfig.LogGroup is its own log group
    const { stack } = newStack();
    const logGroup = new logs.LogGroup(stack, 'OrdersLogs', { logGroupName: '/orders/prod' });
    const fn = new lambda.Function(stack, 'Orders', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), logGroup,
    });
    // WHEN
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [fn] });
    const template = Template.fromStack(stack);
    // THEN the memory alarm queries it, the collector and verifier may read it, and normalize can trace it back
    const logGroupId = stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup);
    template.hasResourceProperties('AWS::CloudWatch::LogAlarm', {
      ScheduledQueryConfiguration: Match.objectLike({ LogGroupIdentifiers: [{ Ref: logGroupId }] }),
    });
    const reads = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().includes('logs:FilterLogEvents'));
    expect(reads).toHaveLength(2); // collector and verifier
    for (const st of reads) {
      expect(JSON.stringify(resolveIntrinsics(st.Resource, template))).toContain(':log-group:');
      expect(JSON.stringify(st.Resource)).toContain(stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup));
    }
    expect(Object.keys(remediation.monitoring.customLogGroupOwners)).toHaveLength(1);
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

  test('policy.raiseMemoryForCpu reaches the handlers\' policy only when set', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    new AutoRemediation(stack, 'AutoRemediation', { functions: [fn], policy: { raiseMemoryForCpu: true } });
    const policy = JSON.parse(envOf(Template.fromStack(stack), 'Rule engine always').REMEDIATION_POLICY as string);
    expect(policy.raiseMemoryForCpu).toBe(true);
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
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(a => JSON.stringify(a.Properties.Dimensions));
    expect(names.some(n => n.includes(stack.getLogicalId(kept.node.defaultChild as lambda.CfnFunction)))).toBe(true);
    expect(names.some(n => n.includes(stack.getLogicalId(excluded.node.defaultChild as lambda.CfnFunction)))).toBe(false);
    Annotations.fromStack(stack).hasInfo('/TestStack/AutoRemediation', Match.stringLikeRegexp('excludedFunctions'));
  });

  test('existing alarms are routed by name next to the prefixes', () => {
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
        detail: {
          state: { value: ['ALARM'] },
          $or: Match.arrayWith([
            { alarmName: [{ prefix: `${remediation.monitoring.alarmNamePrefix}-fn-` }], alarmContributor: { id: [{ exists: false }] } },
            { alarmName: ['orders-p99-latency'], alarmContributor: { id: [{ exists: false }] } },
          ]),
        },
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: 5 });
    expect(remediation.alarms).toContain(mine);
  });

  test('fleet mode: one Metrics Insights alarm over the tagged functions, valid by the documented grammar', () => {
    // GIVEN functions selected by tag only
    const { stack } = newStack();
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { monitoring: { fleet: { tagValue: 'orders-prod' } } });
    const template = Template.fromStack(stack);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(a => String(a.Properties.AlarmName).startsWith(remediation.monitoring.alarmNamePrefix));
    expect(alarms).toHaveLength(1);
    const query = alarms[0].Properties.Metrics[0].Expression as string;
    // "WHERE supports only =, != and AND"; multi-time-series alarms need GROUP BY and ORDER BY; LIMIT at most 500
    expect(query).toBe('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE tag.LambdaAutoRemediation = \'orders-prod\' GROUP BY FunctionName ORDER BY SUM() DESC LIMIT 500');
    expect(alarms[0].Properties.AlarmName).toBe(`${remediation.monitoring.fleetAlarmNamePrefix}Errors`);
    // rights by tag, never by name list
    const byTag = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().includes('lambda:UpdateFunctionConfiguration'));
    expect(byTag).toHaveLength(2); // repair and rollback
    for (const st of byTag) expect(st.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/LambdaAutoRemediation': 'orders-prod' } });
    expect(envOf(template, 'Turns the alarm event into').MANAGED_FUNCTIONS).toBe('tag:LambdaAutoRemediation=orders-prod');
  });

  test('tags the functions it manages that are defined in the app', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [fn] });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Tags: Match.arrayWith([{ Key: 'LambdaAutoRemediation', Value: remediation.monitoring.alarmNamePrefix }]),
    });
  });

  test('fails when there is neither a function nor a fleet tag', () => {
    const { stack } = newStack();
    expect(() => new AutoRemediation(stack, 'AutoRemediation', { functions: [] }))
      .toThrow(/functions is empty and monitoring.fleet is not set/);
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

  test('every handler reads the same policy: resolved once, approval included', () => {
    const { stack } = newStack();
    const [a, b] = demoFunctions(stack, 2);
    new AutoRemediation(stack, 'AutoRemediation', { functions: [a, b], approval: Approval.forFunctions([a]), policy: { maxMemoryMb: 2048 } });
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::Lambda::Function'))
      .map(f => f.Properties.Environment?.Variables?.REMEDIATION_POLICY)
      .filter(p => p !== undefined)
      .map(p => JSON.stringify(resolveIntrinsics(p, template)));
    expect(policies.length).toBeGreaterThanOrEqual(4); // normalize, diagnose, repair, verify
    expect(new Set(policies).size).toBe(1);
    expect(JSON.parse(JSON.parse(policies[0]))).toMatchObject({ maxMemoryMb: 2048, approvalMode: 'SELECTED' });
  });

  test('fails when a function is managed by two AutoRemediation constructs', () => {
    const { stack } = newStack();
    const [fn] = demoFunctions(stack, 1);
    new AutoRemediation(stack, 'First', { functions: [fn] });
    expect(() => new AutoRemediation(stack, 'Second', { functions: [fn] }))
      .toThrow(/function TestStack\/Target1 is already managed by TestStack\/First: two AutoRemediation constructs would both lock and raise it/);
    // the same function imported twice by name is still the same function
    const { stack: other } = newStack();
    new AutoRemediation(other, 'First', { functions: [lambda.Function.fromFunctionName(other, 'A', 'orders')] });
    expect(() => new AutoRemediation(other, 'Second', { functions: [lambda.Function.fromFunctionName(other, 'B', 'orders')] }))
      .toThrow(/already managed by TestStack\/First/);
  });

  test('fails at synthesis when approval names a function it does not manage', () => {
    const { app, stack } = newStack();
    const [managed, other] = demoFunctions(stack, 2);
    new AutoRemediation(stack, 'AutoRemediation', { functions: [managed], approval: Approval.forFunctions([other]) });
    expect(() => app.synth()).toThrow(/approval names TestStack\/Target2, which this AutoRemediation does not manage/);
  });

  test('warns when a function already has the maximum it may be raised to, and on deprecated props', () => {
    const { stack } = newStack();
    const big = new lambda.Function(stack, 'Big', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), memorySize: 4096,
    });
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [big], dryRun: true, policy: { requireApproval: true } });
    const [small] = demoFunctions(stack, 1);
    remediation.addFunction(small, { requireApproval: true });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/AutoRemediation', Match.stringLikeRegexp('TestStack/Big has 4096 MB, not below the maximum it may be raised to \\(3008 MB\\)'));
    annotations.hasWarning('/TestStack/AutoRemediation', Match.stringLikeRegexp('dryRun is deprecated: set policy.dryRun'));
    annotations.hasWarning('/TestStack/AutoRemediation', Match.stringLikeRegexp('policy.requireApproval is deprecated'));
    annotations.hasWarning('/TestStack/AutoRemediation', Match.stringLikeRegexp('requireApproval of TestStack/Target1 is deprecated'));
  });

  test('fails when Approval.forFunctions gets an empty list', () => {
    expect(() => Approval.forFunctions([])).toThrow(/at least one function/);
  });
});


describe('AutoRemediation with a knowledge base for the case history (issue 11)', () => {
  const { stack } = newStack();
  const [orders] = demoFunctions(stack, 1, Duration.seconds(30), 'Orders');
  const knowledgeBase = new RemediationKnowledgeBase(stack, 'Kb');
  new AutoRemediation(stack, 'AutoRemediation', { functions: [orders], knowledgeBase });
  const template = Template.fromStack(stack);

  test('finalize records cases in its bucket and starts their ingestion; diagnose reads them', () => {
    const finalize = envOf(template, 'Works out the outcome');
    expect(finalize).toMatchObject({ KNOWLEDGE_CASES_PREFIX: 'cases/' });
    expect(finalize.KNOWLEDGE_CASES_BUCKET).toBeDefined();
    expect(finalize.KNOWLEDGE_CASES_DATA_SOURCE_ID).toBeDefined();
    const diagnose = envOf(template, 'Rule engine always');
    expect(diagnose.KNOWLEDGE_CASES_BUCKET).toEqual(finalize.KNOWLEDGE_CASES_BUCKET);
    const actions = (role: RegExp) => Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => role.test(id))
      .flatMap(([, p]) => (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((st) => st.Action));
    expect(actions(/^AutoRemediationVerificationFinalize/)).toEqual(expect.arrayContaining(['s3:PutObject', 'bedrock:StartIngestionJob']));
    expect(actions(/^AutoRemediationDiagnosisDiagnose/)).toEqual(expect.arrayContaining(['s3:ListBucket', 's3:GetObject']));
    expect(actions(/^AutoRemediationDiagnosisDiagnose/)).not.toContain('s3:PutObject');
  });
});
