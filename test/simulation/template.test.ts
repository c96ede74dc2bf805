import { CfnTemplate, TemplateResolver } from '../../src/simulation/template';

const template = {
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Description: 'src/workflow/normalize.lambda.ts', Timeout: 30, Environment: { Variables: { TABLE_NAME: { Ref: 'Table' }, TOPIC_ARN: { Ref: 'Topic' } } } } },
    Target: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'orders-api' } },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        DefinitionString: { 'Fn::Join': ['', ['{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"', { 'Fn::GetAtt': ['Fn', 'Arn'] }, '","End":true}}}']] },
      },
    },
    Alarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: { 'Fn::Join': ['-', ['prefix', 'Errors', '1']] },
        Metrics: [{ Id: 'expr_1', Expression: { 'Fn::Join': ['', ['SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName = \'', { Ref: 'Target' }, '\' GROUP BY FunctionName ORDER BY SUM() DESC']] }, Period: 60, ReturnData: true }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 5,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      },
    },
  },
};

describe('template resolver', () => {
  const r = new TemplateResolver(template, 'Sim');

  test('GIVEN a DefinitionString with Fn::Join and Fn::GetAtt THEN the definition names the function ARN', () => {
    const { definition, arn } = r.stateMachineDefinition();
    expect(definition.States.A.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:Sim-Fn');
    expect(arn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Sim-Machine');
  });

  test('GIVEN handler functions THEN environment Refs resolve to the table name and topic ARN', () => {
    const fn = r.functions().find((f) => f.logicalId === 'Fn')!;
    expect(fn.environment).toEqual({ TABLE_NAME: 'Sim-Table', TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:Sim-Topic' });
    expect(fn.timeout).toBe(30);
    expect(r.functions().find((f) => f.logicalId === 'Target')!.functionName).toBe('orders-api');
  });

  test('GIVEN a Metrics Insights alarm THEN its spec has the resolved query and evaluation settings', () => {
    const { alarms, skipped } = r.alarms();
    expect(skipped).toEqual([]);
    expect(alarms).toEqual([expect.objectContaining({
      alarmName: 'prefix-Errors-1',
      metrics: [{ id: 'expr_1', expression: 'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName = \'orders-api\' GROUP BY FunctionName ORDER BY SUM() DESC', period: 60, returnData: true }],
      evaluationPeriods: 5,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    })]);
  });

  test('fails when the template has no state machine', () => {
    expect(() => new TemplateResolver({ Resources: {} }).stateMachineDefinition()).toThrow('the template has no state machine');
  });

  test('GIVEN log, composite and anomaly alarms, and a nested stack whose template is given THEN all are read, the nested one with its parameters', () => {
    const parent = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'mem-query' } },
        Mem: {
          Type: 'AWS::CloudWatch::LogAlarm',
          Properties: {
            AlarmName: 'lar-mem-1',
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            Threshold: 90,
            QueryResultsToEvaluate: 1,
            QueryResultsToAlarm: 1,
            ScheduledQueryConfiguration: {
              QueryString: 'filter @type = "REPORT"',
              AggregationExpression: 'max(@maxMemoryUsed) by @log',
              LogGroupIdentifiers: ['/aws/lambda/orders'],
              ScheduleConfiguration: { ScheduleExpression: 'rate(5 minutes)', StartTimeOffset: 300, EndTimeOffset: 60 },
              ScheduledQueryRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
            },
          },
        },
        Band: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmName: 'lar-fn-DurationAnomaly-orders',
            ComparisonOperator: 'GreaterThanUpperThreshold',
            EvaluationPeriods: 5,
            DatapointsToAlarm: 3,
            ThresholdMetricId: 'expr_1',
            Metrics: [
              { Id: 'expr_1', Expression: 'ANOMALY_DETECTION_BAND(m0, 3)', ReturnData: true },
              { Id: 'm0', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: 'orders' }] }, Period: 300, Stat: 'Average' }, ReturnData: true },
            ],
          },
        },
        Both: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmName: 'both', AlarmRule: 'ALARM("lar-mem-1") AND ALARM(lar-fn-DurationAnomaly-orders)' } },
        Nested: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { FunctionName: { Ref: 'Target' }, Prefix: 'lar' } } },
        Unloaded: { Type: 'AWS::CloudFormation::Stack', Properties: {} },
        Target: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'orders', Tags: [{ Key: 'team', Value: 'x' }], LoggingConfig: { LogGroup: '/custom/orders' } } },
      },
    };
    const nested = {
      Parameters: { FunctionName: { Type: 'String' }, Prefix: { Type: 'String' } },
      Resources: {
        Errors: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmName: { 'Fn::Join': ['-', [{ Ref: 'Prefix' }, 'fn-Errors', { Ref: 'FunctionName' }]] },
            Namespace: 'AWS/Lambda',
            MetricName: 'Errors',
            Statistic: 'Sum',
            Period: 60,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'FunctionName' } }],
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            EvaluationPeriods: 5,
          },
        },
      },
    };
    const got = new TemplateResolver(parent, 'Sim', { nestedTemplates: { Nested: nested as CfnTemplate } }).alarms();
    expect(got.logAlarms).toEqual([expect.objectContaining({ alarmName: 'lar-mem-1', scheduledQueryRoleArn: 'arn:aws:iam::123456789012:role/mem-query', startTimeOffset: 300, endTimeOffset: 60, logGroupIdentifiers: ['/aws/lambda/orders'] })]);
    expect(got.compositeAlarms).toEqual([expect.objectContaining({ alarmName: 'both', alarmRule: 'ALARM("lar-mem-1") AND ALARM(lar-fn-DurationAnomaly-orders)' })]);
    expect(got.alarms.map((a) => a.alarmName)).toEqual(['lar-fn-DurationAnomaly-orders', 'lar-fn-Errors-orders']);
    expect(got.alarms[1].dimensions).toEqual({ FunctionName: 'orders' });
    expect(got.skipped).toEqual(['nested stack Unloaded: its template was not given, its alarms are not deployed']);
    const fn = new TemplateResolver(parent, 'Sim').functions().find((f) => f.functionName === 'orders')!;
    expect(fn.tags).toEqual({ team: 'x' });
    expect(fn.logGroup).toBe('/custom/orders');
  });
});
