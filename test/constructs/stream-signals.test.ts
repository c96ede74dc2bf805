/**
 * The optional IteratorAge and ConcurrentExecutions alarms (issue 13): one classic alarm per
 * function and kind, routed like the other per-function alarms, off by default.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ACCOUNT, awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack, REGION } from './helpers';
import { AutoRemediation } from '../../src';

ensureHandlerAssets();

function alarmsOf(template: Template, metricName: string): any[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }));
}

describe('GIVEN monitoring.iteratorAge and monitoring.concurrentExecutions enabled', () => {
  const { stack } = newStack();
  const [consumer] = demoFunctions(stack, 1, Duration.seconds(60), 'Consumer');
  const remediation = new AutoRemediation(stack, 'AutoRemediation', {
    functions: [consumer],
    monitoring: { alarmNamePrefix: 'orders', iteratorAge: { enabled: true }, concurrentExecutions: { enabled: true, threshold: 40 } },
  });
  const template = Template.fromStack(stack);

  test('THEN the function gets an IteratorAge alarm: Maximum of its own metric, a minute behind in 3 of 5 minutes, missing data not breaching', () => {
    const [alarm] = alarmsOf(template, 'IteratorAge');
    expect(JSON.stringify(alarm.Properties.AlarmName)).toContain('orders-fn-IteratorAge-');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 60000,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^Consumer/) } }],
    });
  });

  test('THEN it gets a ConcurrentExecutions alarm at the threshold given', () => {
    const [alarm] = alarmsOf(template, 'ConcurrentExecutions');
    expect(JSON.stringify(alarm.Properties.AlarmName)).toContain('orders-fn-ConcurrentExecutions-');
    expect(alarm.Properties).toMatchObject({ Statistic: 'Maximum', Threshold: 40, DatapointsToAlarm: 3 });
  });

  test('THEN cdk-nag reports nothing unacknowledged', () => {
    expect(awsSolutionsFindings(remediation)).toEqual([]);
  });

  test('THEN both are among the alarms the workflow routes (the per-function prefix)', () => {
    const names = remediation.alarms.map((a) => stack.resolve(a.alarmName));
    expect(names.filter((n) => JSON.stringify(n).includes('IteratorAge'))).toHaveLength(1);
    const rule = Object.values(template.findResources('AWS::Events::Rule')).find((r: any) => JSON.stringify(r.Properties.EventPattern).includes('CloudWatch Alarm State Change')) as any;
    expect(JSON.stringify(rule.Properties.EventPattern)).toContain('"prefix":"orders-fn-"');
  });
});

describe('GIVEN the defaults', () => {
  test('THEN there is no IteratorAge or ConcurrentExecutions alarm', () => {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 2) });
    const template = Template.fromStack(stack);
    expect(alarmsOf(template, 'IteratorAge')).toEqual([]);
    expect(alarmsOf(template, 'ConcurrentExecutions')).toEqual([]);
  });

  test('fails when the iterator age threshold is negative', () => {
    const { stack } = newStack();
    expect(() => new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1), monitoring: { iteratorAge: { enabled: true, threshold: -1 } } }))
      .toThrow(/iteratorAge threshold must be a number of at least 0, got -1/);
  });
});

describe('GIVEN 260 imported functions with every per-function alarm kind on', () => {
  test('THEN the nested alarm stacks hold 75 functions each (6 kinds: 450 alarms), and no template nears 500 resources', () => {
    const app = new App();
    const stack = new Stack(app, 'Imported', { env: { account: ACCOUNT, region: REGION } });
    const functions = Array.from({ length: 260 }, (_, i) => lambda.Function.fromFunctionName(stack, `Fn${i}`, `stream-consumer-${String(i).padStart(4, '0')}`));
    new AutoRemediation(stack, 'AutoRemediation', {
      functions,
      monitoring: {
        throttles: { enabled: true }, anomalyDetection: { enabled: true }, iteratorAge: { enabled: true }, concurrentExecutions: { enabled: true },
      },
    });
    // Imported functions have no known timeout: no duration alarm, so 5 alarms each here.
    const assembly = app.synth();
    const files = fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.nested.template.json'));
    const sizes = files.map((f) => Object.keys((JSON.parse(fs.readFileSync(path.join(assembly.directory, f), 'utf8')) as { Resources: object }).Resources).length);
    // 50 functions in the parent, then nested stacks of 75: 210 functions need 3.
    expect(sizes).toHaveLength(3);
    expect(Math.max(...sizes)).toBe(75 * 5);
    const parent = Object.keys((assembly.getStackByName('Imported').template as { Resources: object }).Resources).length;
    expect(Math.max(parent, ...sizes)).toBeLessThan(500);
  });
});
