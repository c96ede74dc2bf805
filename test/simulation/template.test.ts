import { TemplateResolver } from '../../src/simulation/template';

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
        Metrics: [{ Id: 'expr_1', Expression: { 'Fn::Join': ['', ['SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName IN (\'', { Ref: 'Target' }, '\') GROUP BY FunctionName']] }, Period: 60, ReturnData: true }],
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
      metrics: [{ id: 'expr_1', expression: 'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName IN (\'orders-api\') GROUP BY FunctionName', period: 60, returnData: true }],
      evaluationPeriods: 5,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    })]);
  });

  test('fails when the template has no state machine', () => {
    expect(() => new TemplateResolver({ Resources: {} }).stateMachineDefinition()).toThrow('the template has no state machine');
  });
});
