/**
 * The intake parser against the events the CloudWatch User Guide prints ("Alarm events and
 * EventBridge", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html),
 * fed verbatim from test/fixtures/aws-events/. The documented examples watch EC2 and DynamoDB
 * metrics, which the workflow ignores; tests named "... with the dimension changed to a Lambda
 * FunctionName" take the same documented file and change only that.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  functionOfContributor,
  ParsedIntake,
  parseIntake,
  thresholdFromStateReason,
  toAlarmEvent,
  toIsoTime,
  valueFromStateReason,
} from '../../src/runtime/alarm-event';

const NOW = new Date('2026-11-20T11:00:00.000Z');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'aws-events');

/** A documented event, verbatim (a fresh copy each time). */
function documented(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/** The documented event with the dimensions of the metrics named in `ids` replaced. */
function withDimensions(event: any, dims: Record<string, string>, ids?: string[]): any {
  for (const m of event.detail.configuration.metrics) {
    if (m.metricStat && (!ids || ids.includes(m.id))) m.metricStat.metric.dimensions = { ...dims };
  }
  return event;
}

function target(p: ParsedIntake) {
  if (p.kind !== 'target') throw new Error(`expected a target, got ${p.kind}: ${'reason' in p ? p.reason : ''}`);
  return p;
}

describe('single-metric alarm (single-metric.json)', () => {
  test('the documented event (EC2 CPUUtilization) is IGNORED: it names no Lambda function', () => {
    const p = parseIntake(documented('single-metric.json'), NOW);
    expect(p).toEqual({
      kind: 'ignored',
      reason: 'alarm ServerCpuTooHigh names no Lambda function (AWS/EC2/CPUUtilization InstanceId=i-12345678901234567)',
      alarmName: 'ServerCpuTooHigh',
      alarmKind: 'METRIC',
    });
  });

  test('with the dimension changed to a Lambda FunctionName: function, threshold and value come from the event', () => {
    const p = target(parseIntake(withDimensions(documented('single-metric.json'), { FunctionName: 'orders' }), NOW));
    expect(p.target).toMatchObject({
      functionName: 'orders',
      alarmKind: 'METRIC',
      metricName: 'CPUUtilization',
      threshold: 50,
      thresholdSource: 'reasonData',
      currentValue: 99.50160229693434,
      valueSource: 'reasonData',
    });
    expect(p.target.qualifier).toBeUndefined();
    expect(toAlarmEvent(p.alarm, p.target)).toEqual({
      alarmId: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
      alarmName: 'ServerCpuTooHigh',
      functionName: 'orders',
      metricName: 'CPUUtilization',
      threshold: 50,
      thresholdSource: 'reasonData',
      currentValue: 99.50160229693434,
      valueSource: 'reasonData',
      stateChangeTime: '2019-10-02T17:04:40.989Z',
      previousState: 'OK',
      currentState: 'ALARM',
      stateReason: expect.stringContaining('was greater than the threshold (50.0)'),
    });
  });

  test('with the dimensions changed to a Lambda FunctionName and Resource name:alias: the alias is the qualifier', () => {
    const p = target(parseIntake(withDimensions(documented('single-metric.json'), { FunctionName: 'orders', Resource: 'orders:live' }), NOW));
    expect(p.target).toMatchObject({ functionName: 'orders', qualifier: 'live' });
  });

  test('with a Lambda FunctionName and a garbled reasonData: the state reason text gives threshold and value, never 0', () => {
    const e = withDimensions(documented('single-metric.json'), { FunctionName: 'orders' });
    e.detail.state.reasonData = '{not json';
    const p = target(parseIntake(e, NOW));
    expect(p.target).toMatchObject({ threshold: 50, thresholdSource: 'stateReason', currentValue: 99.50160229693434, valueSource: 'stateReason' });
  });

  test('with a Lambda FunctionName and neither reasonData nor numbers in the reason: threshold and value stay unknown', () => {
    const e = withDimensions(documented('single-metric.json'), { FunctionName: 'orders' });
    delete e.detail.state.reasonData;
    e.detail.state.reason = 'changed';
    const ev = toAlarmEvent(target(parseIntake(e, NOW)).alarm, target(parseIntake(e, NOW)).target);
    expect(ev).not.toHaveProperty('threshold');
    expect(ev).not.toHaveProperty('currentValue');
    expect(ev).toMatchObject({ thresholdSource: 'unknown', valueSource: 'unknown' });
  });

  test('a transition to OK is IGNORED', () => {
    const e = withDimensions(documented('single-metric.json'), { FunctionName: 'orders' });
    e.detail.state.value = 'OK';
    expect(parseIntake(e, NOW)).toMatchObject({ kind: 'ignored', reason: 'alarm ServerCpuTooHigh went to OK, not ALARM' });
  });
});

describe('metric-math alarm (metric-math.json)', () => {
  test('the documented event (EC2 NetworkIn + NetworkOut) is IGNORED: it names no Lambda function', () => {
    expect(parseIntake(documented('metric-math.json'), NOW)).toMatchObject({
      kind: 'ignored', alarmKind: 'METRIC_MATH', reason: expect.stringContaining('alarm TotalNetworkTrafficTooHigh names no Lambda function'),
    });
  });

  test('with the dimensions changed to a Lambda FunctionName: recorded under the returned expression\'s label, not the first metric', () => {
    const p = target(parseIntake(withDimensions(documented('metric-math.json'), { FunctionName: 'orders' }), NOW));
    expect(p.target).toMatchObject({
      functionName: 'orders',
      alarmKind: 'METRIC_MATH',
      metricName: 'Total Network Traffic',
      threshold: 10000,
      currentValue: 45628,
    });
  });

  test('with the dimensions changed to a Lambda FunctionName and no label: recorded under the expression', () => {
    const e = withDimensions(documented('metric-math.json'), { FunctionName: 'orders' });
    delete e.detail.configuration.metrics[0].label;
    expect(target(parseIntake(e, NOW)).target.metricName).toBe('SUM(METRICS())');
  });

  test('with the dimensions changed to two different Lambda functions: IGNORED, one execution handles one function', () => {
    const e = withDimensions(documented('metric-math.json'), { FunctionName: 'orders' }, ['m1']);
    withDimensions(e, { FunctionName: 'payments' }, ['m2']);
    expect(parseIntake(e, NOW)).toMatchObject({
      kind: 'ignored',
      reason: 'alarm TotalNetworkTrafficTooHigh combines the metrics of several functions (orders, payments); one execution handles one function',
    });
  });
});

describe('anomaly-detection alarm (anomaly-detection.json)', () => {
  test('the documented event (EC2 CPUUtilization) is IGNORED: it watches no Lambda function', () => {
    expect(parseIntake(documented('anomaly-detection.json'), NOW)).toMatchObject({
      kind: 'ignored', alarmKind: 'ANOMALY_DETECTION', reason: expect.stringContaining('watches no Lambda function'),
    });
  });

  test('with the dimension changed to a Lambda FunctionName: direction from the datapoint and the band, threshold is the upper band', () => {
    // The documented datapoint 0.0 is under the lower threshold 0.0206; CPUUtilization is not a
    // metric where less is good news by definition, so the direction is kept for the diagnosis.
    const p = target(parseIntake(withDimensions(documented('anomaly-detection.json'), { FunctionName: 'orders' }), NOW));
    expect(p.target).toMatchObject({
      functionName: 'orders',
      alarmKind: 'ANOMALY_DETECTION',
      metricName: 'CPUUtilization',
      direction: 'BELOW',
      threshold: 0.3006915352732461,
      thresholdSource: 'anomalyBand',
      currentValue: 0,
      valueSource: 'reasonData',
    });
  });

  test('with the dimension changed to a Lambda FunctionName and the metric to Duration: below the band is IGNORED', () => {
    const e = withDimensions(documented('anomaly-detection.json'), { FunctionName: 'orders' });
    e.detail.configuration.metrics[0].metricStat.metric.name = 'Duration';
    expect(parseIntake(e, NOW)).toMatchObject({
      kind: 'ignored', alarmKind: 'ANOMALY_DETECTION', reason: expect.stringContaining('below the expected band'),
    });
  });

  test('with the dimension changed to a Lambda FunctionName, the metric to Errors and a datapoint above the band: ABOVE, accepted', () => {
    const e = withDimensions(documented('anomaly-detection.json'), { FunctionName: 'orders' });
    e.detail.configuration.metrics[0].metricStat.metric.name = 'Errors';
    const rd = JSON.parse(e.detail.state.reasonData);
    e.detail.state.reasonData = JSON.stringify({ ...rd, recentDatapoints: [0.9] });
    expect(target(parseIntake(e, NOW)).target).toMatchObject({ direction: 'ABOVE', currentValue: 0.9, threshold: 0.3006915352732461 });
  });
});

describe('Metrics Insights (multi-time-series) alarm', () => {
  test('the documented alarm-level event (metrics-insights-alarm.json) is IGNORED: each contributor has its own event', () => {
    expect(parseIntake(documented('metrics-insights-alarm.json'), NOW)).toEqual({
      kind: 'ignored',
      reason: 'alarm-level event of the multi-time-series alarm DynamoDBInsightsAlarm: each contributor in ALARM has its own event',
      alarmName: 'DynamoDBInsightsAlarm',
      alarmKind: 'METRICS_INSIGHTS',
    });
  });

  test('the documented contributor event (metrics-insights-contributor.json, a DynamoDB table) is IGNORED with a reason', () => {
    expect(parseIntake(documented('metrics-insights-contributor.json'), NOW)).toMatchObject({
      kind: 'ignored',
      reason: 'contributor 6d442278dba546f6 of alarm DynamoDBInsightsAlarm names no Lambda function (attributes: TableName)',
    });
  });

  test('the contributor event with the attribute changed to a Lambda FunctionName: no threshold in the event, the value from the documented state reason', () => {
    const e = documented('metrics-insights-contributor.json');
    e.detail.alarmContributor.attributes = { FunctionName: 'orders' };
    const p = target(parseIntake(e, NOW));
    expect(p.target).toMatchObject({
      functionName: 'orders',
      alarmKind: 'METRICS_INSIGHTS',
      metricName: 'ConsumedWriteCapacityUnits',
      thresholdSource: 'unknown',
      currentValue: 0,
      valueSource: 'stateReason',
      contributorId: '6d442278dba546f6',
      valueQuery: { namespace: 'AWS/DynamoDB', metricName: 'ConsumedWriteCapacityUnits', stat: 'Average', dimensions: { FunctionName: 'orders' }, periodSeconds: 60 },
    });
    expect(p.target.threshold).toBeUndefined();
    const ev = toAlarmEvent(p.alarm, p.target);
    expect(ev).toMatchObject({
      alarmId: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:DynamoDBInsightsAlarm#6d442278dba546f6',
      previousState: 'UNKNOWN',
      stateChangeTime: '2025-12-01T13:42:04.919Z',
    });
    expect(ev).not.toHaveProperty('threshold');
  });

  test('a contributor whose reason carries no datapoint: the value is unknown, never 0', () => {
    const e = documented('metrics-insights-contributor.json');
    e.detail.alarmContributor.attributes = { FunctionName: 'orders' };
    e.detail.state.reason = 'Threshold Crossed';
    const p = target(parseIntake(e, NOW));
    expect(p.target.currentValue).toBeUndefined();
    expect(toAlarmEvent(p.alarm, p.target)).not.toHaveProperty('currentValue');
  });
});

describe('composite alarm (composite.json)', () => {
  test('the documented event carries actionsSuppressedBy: SUPPRESSED, no change', () => {
    expect(parseIntake(documented('composite.json'), NOW)).toMatchObject({
      kind: 'suppressed',
      alarmKind: 'COMPOSITE',
      reason: 'actions of alarm ServiceAggregatedAlarm are suppressed (WaitPeriod: Actions suppressed by WaitPeriod); no change while suppressed',
    });
  });

  test('without actionsSuppressedBy: the children that fired come from reasonData.triggeringAlarms (there is no description)', () => {
    const e = documented('composite.json');
    delete e.detail.state.actionsSuppressedBy;
    delete e.detail.state.actionsSuppressedReason;
    expect(parseIntake(e, NOW)).toMatchObject({ kind: 'composite', childAlarmNames: ['ServerCpuTooHigh'], alarm: { alarmName: 'ServiceAggregatedAlarm' } });
  });

  test('without actionsSuppressedBy and without triggering alarms: IGNORED with a reason', () => {
    const e = documented('composite.json');
    delete e.detail.state.actionsSuppressedBy;
    e.detail.state.reasonData = JSON.stringify({ triggeringAlarms: [] });
    expect(parseIntake(e, NOW)).toMatchObject({ kind: 'ignored', reason: 'composite alarm ServiceAggregatedAlarm names no triggering alarm in its reasonData' });
  });
});

describe('muteDetail: "a muted alarm still changes state, only its actions are muted"', () => {
  // Every documented event carries muteDetail with the window 2026-01-01 10:00-12:00 UTC.
  test('the documented windows do not cover the documented state changes (2019, 2022, 2025): not suppressed', () => {
    const e = withDimensions(documented('single-metric.json'), { FunctionName: 'orders' });
    expect(parseIntake(e, NOW).kind).toBe('target');
  });

  test('single metric with the dimension changed to a Lambda FunctionName and the state change inside the mute window: SUPPRESSED', () => {
    const e = withDimensions(documented('single-metric.json'), { FunctionName: 'orders' });
    e.detail.state.timestamp = '2026-01-01T11:00:00.000+0000';
    expect(parseIntake(e, NOW)).toMatchObject({
      kind: 'suppressed',
      functionName: 'orders',
      alarmKind: 'METRIC',
      reason: 'actions of alarm ServerCpuTooHigh are muted by arn:aws:cloudwatch:us-east-1:1234567890:alarm-mute-rule:testMute until 2026-01-01T12:00:00.000Z; no change while muted',
    });
  });

  test('a contributor event inside the mute window: SUPPRESSED', () => {
    const e = documented('metrics-insights-contributor.json');
    e.detail.alarmContributor.attributes = { FunctionName: 'orders' };
    e.detail.state.timestamp = '2026-01-01T10:00:00.000+0000';
    expect(parseIntake(e, NOW).kind).toBe('suppressed');
  });

  test('a state change one millisecond after the window: not suppressed', () => {
    const e = withDimensions(documented('single-metric.json'), { FunctionName: 'orders' });
    e.detail.state.timestamp = '2026-01-01T12:00:00.001+0000';
    expect(parseIntake(e, NOW).kind).toBe('target');
  });
});

describe('log alarms: never read from the event (AWS documents none)', () => {
  const parent = () => JSON.parse(fs.readFileSync(path.join(FIXTURES, 'hypothetical', 'log-alarm-parent.json'), 'utf8'));
  const child = () => JSON.parse(fs.readFileSync(path.join(FIXTURES, 'hypothetical', 'log-alarm-contributor.json'), 'utf8'));

  test('a name under the memory alarm prefix is looked up, whatever the event says', () => {
    const e = parent();
    e.detail.alarmName = 'team-mem-1';
    expect(parseIntake(e, NOW, { logAlarmPrefix: 'team-mem-' })).toMatchObject({ kind: 'lookupAlarm', alarm: { alarmName: 'team-mem-1' } });
    const c = child();
    c.detail.alarmName = 'team-mem-1';
    expect(parseIntake(c, NOW, { logAlarmPrefix: 'team-mem-' })).toMatchObject({ kind: 'lookupAlarm', contributorId: '6d442278dba546f6' });
  });

  test('an event without metrics in its configuration is looked up (it may be a log alarm)', () => {
    expect(parseIntake(parent(), NOW)).toMatchObject({ kind: 'lookupAlarm', why: expect.stringContaining('no metrics') });
  });
});

describe('the workflow\'s own inputs', () => {
  test('a further contributor of a log alarm', () => {
    const p = parseIntake({
      'source': 'lambda-auto-remediation',
      'detail-type': 'Lambda Remediation Contributor',
      'detail': { alarmName: 'team-mem-1', functionName: 'orders', contributorId: 'c1', reason: 'r', stateTimestamp: '2026-11-20T10:00:00.000Z' },
    }, NOW);
    expect(p).toEqual({ kind: 'contributor', detail: { alarmName: 'team-mem-1', functionName: 'orders', contributorId: 'c1', reason: 'r', stateTimestamp: '2026-11-20T10:00:00.000Z' } });
  });

  test('a re-examination', () => {
    const p = parseIntake({
      'source': 'lambda-auto-remediation',
      'detail-type': 'Lambda Remediation Re-examination',
      'detail': { functionName: 'orders', alarms: [{ alarmName: 'a' }, { alarmName: 'b', contributorId: 'c' }], previousExecutionId: 'x', reason: 'r' },
    }, NOW);
    expect(p).toMatchObject({ kind: 'reexamine', detail: { functionName: 'orders', alarms: [{ alarmName: 'a' }, { alarmName: 'b', contributorId: 'c' }] } });
  });

  test('fails when a contributor input lacks its contributor id (named error, never a silent drop)', () => {
    expect(() => parseIntake({ 'source': 'lambda-auto-remediation', 'detail-type': 'Lambda Remediation Contributor', 'detail': { alarmName: 'a', functionName: 'f', stateTimestamp: 't' } }, NOW))
      .toThrow(expect.objectContaining({ name: 'MalformedEventError', message: expect.stringContaining('detail.contributorId') }));
  });

  test('fails when the event is null or of another detail-type', () => {
    expect(() => parseIntake(null, NOW)).toThrow('event must be a json object, got null');
    expect(() => parseIntake({ 'detail-type': 'EC2 Instance State-change Notification' }, NOW)).toThrow("got 'EC2 Instance State-change Notification'");
  });
});

describe('numbers in CloudWatch state reasons', () => {
  test('the contributor form: "The most recent datapoint which crossed the threshold: [0.0 (...)]"', () => {
    const reason = documented('metrics-insights-contributor.json').detail.state.reason;
    expect(valueFromStateReason(reason)).toBe(0);
    expect(thresholdFromStateReason(reason)).toBe(1);
  });

  test('the classic form takes the last datapoint', () => {
    expect(valueFromStateReason('Threshold Crossed: 2 out of the last 2 datapoints [12.0 (20/11/26 10:47:00), 8.0 (20/11/26 10:46:00)] were greater')).toBe(8);
    expect(valueFromStateReason('6 out of 6 time series evaluated to ALARM')).toBeUndefined();
  });
});

describe('log alarm contributors to functions', () => {
  test('the logGroup attribute maps /aws/lambda/<name>, a custom group through the mapping, and nothing else', () => {
    expect(functionOfContributor({ logGroup: '/aws/lambda/orders' })).toBe('orders');
    expect(functionOfContributor({ logGroup: '123456789012:/aws/lambda/orders' })).toBe('orders');
    expect(functionOfContributor({ logGroup: '/custom/orders' }, { '/custom/orders': 'orders-fn' })).toBe('orders-fn');
    expect(functionOfContributor({ logGroup: '/custom/unknown' })).toBeUndefined();
    expect(functionOfContributor({ FunctionName: 'orders' })).toBe('orders');
  });
});

test('CloudWatch +0000 times become ISO-8601', () => {
  expect(toIsoTime('2019-10-01T13:56:40.987+0000', 'x')).toBe('2019-10-01T13:56:40.987Z');
  expect(toIsoTime('garbage', 'fallback')).toBe('fallback');
});
