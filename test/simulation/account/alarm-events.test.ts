import { cloudwatch, documentedEvent, MIN, shape, T0 } from './cw-helpers';

/**
 * Each documented example event (/work/shared/aws-events/*.json, copied from
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html)
 * against the simulator's event for the equivalent alarm: the same keys, nested keys and reasonData
 * keys, and no key the documentation does not show.
 */
const mute = { ruleName: 'testMute', alarmNamePrefix: 'doc-', start: T0, end: T0 + 24 * 60 * MIN };
const cpu = (instance = 'i-12345678901234567') => ({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: instance } });

describe('events as AWS documents them', () => {
  test('GIVEN a single-metric alarm WHEN it goes OK -> ALARM THEN the event has the keys of single-metric.json', () => {
    const { cw, store, runTo } = cloudwatch({ mutes: [mute] });
    cw.addAlarm({
      alarmName: 'doc-cpu',
      alarmDescription: 'Goes into alarm when server CPU utilization is too high!',
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: { InstanceId: 'i-12345678901234567' },
      statistic: 'Average',
      period: 60,
      threshold: 50,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
    });
    for (let m = 0; m < 4; m++) store.put(cpu(), T0 + m * MIN + 1000, m < 2 ? 1 : 99.5);
    const t = runTo(4);
    expect(t.map((x) => `${x.from}->${x.to}`)).toEqual(['INSUFFICIENT_DATA->OK', 'OK->ALARM']);
    const ev = t[1].event as any;
    expect(shape(ev)).toEqual(shape(documentedEvent('single-metric.json')));
    expect(ev.detail.state.reason).toBe('Threshold Crossed: 1 out of the last 1 datapoints [99.5 (28/11/26 12:02:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).');
    expect(ev.detail.previousState.reason).toBe('Threshold Crossed: 1 out of the last 1 datapoints [1.0 (28/11/26 12:00:00)] was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).');
    expect(JSON.parse(ev.detail.state.reasonData)).toMatchObject({ statistic: 'Average', period: 60, recentDatapoints: [99.5], threshold: 50 });
    expect(ev.detail.state.reasonData).toContain('"threshold":50.0');
    expect(ev.detail.muteDetail).toEqual({
      mutedByArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:testMute',
      muteWindowStart: '2026-11-28T12:00:00.000+0000',
      muteWindowEnd: '2026-11-29T12:00:00.000+0000',
    });
  });

  test('GIVEN a metric math alarm WHEN it alarms THEN the event has the keys of metric-math.json (no statistic in reasonData)', () => {
    const { cw, store, runTo } = cloudwatch({ mutes: [mute] });
    const stat = (name: string) => ({ namespace: 'AWS/EC2', metricName: name, dimensions: { InstanceId: 'i-12345678901234567' }, period: 300, stat: 'Maximum' });
    cw.addAlarm({
      alarmName: 'doc-traffic',
      alarmDescription: 'Goes into alarm if total network traffic exceeds 10Kb',
      metrics: [
        { id: 'e1', expression: 'm1 + m2', label: 'Total Network Traffic', returnData: true },
        { id: 'm1', metricStat: stat('NetworkIn'), returnData: false },
        { id: 'm2', metricStat: stat('NetworkOut'), returnData: false },
      ],
      threshold: 10000,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
    });
    for (let m = 0; m < 10; m++) {
      store.put({ ...cpu(), metricName: 'NetworkIn' }, T0 + m * MIN, 40000);
      store.put({ ...cpu(), metricName: 'NetworkOut' }, T0 + m * MIN, 5628);
    }
    const t = runTo(10);
    expect(t.map((x) => `${x.from}->${x.to}`)).toEqual(['INSUFFICIENT_DATA->ALARM']);
    const ev = t[0].event as any;
    expect(shape(ev)).toEqual(shape(documentedEvent('metric-math.json')));
    expect(JSON.parse(ev.detail.state.reasonData).recentDatapoints).toEqual([45628]);
    expect(ev.detail.configuration.metrics[0]).toEqual({ id: 'e1', expression: 'm1 + m2', label: 'Total Network Traffic', returnData: true });
  });

  test('GIVEN an anomaly detection alarm WHEN the metric leaves the band THEN the event has the keys of anomaly-detection.json', () => {
    const { cw, store, runTo } = cloudwatch({ mutes: [mute] });
    cw.addAlarm({
      alarmName: 'doc-anomaly',
      alarmDescription: 'Goes into alarm if CPU Utilization is out of band',
      metrics: [
        { id: 'm1', metricStat: { ...cpu(), period: 60, stat: 'Average' }, returnData: true },
        { id: 'ad1', expression: 'ANOMALY_DETECTION_BAND(m1, 3)', label: 'CPUUtilization (expected)', returnData: true },
      ],
      thresholdMetricId: 'ad1',
      comparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
      evaluationPeriods: 1,
    });
    for (let m = 0; m < 30; m++) store.put(cpu(), T0 + m * MIN, m < 25 ? 0.15 + 0.01 * (m % 3) : 0);
    const t = runTo(30);
    const alarm = t.find((x) => x.to === 'ALARM')!;
    expect(alarm.at).toBe(T0 + 26 * MIN);
    const ev = alarm.event as any;
    expect(shape(ev)).toEqual(shape(documentedEvent('anomaly-detection.json')));
    expect(ev.detail.state.reason).toMatch(/^Thresholds Crossed: 1 out of the last 1 datapoints \[0\.0 \(28\/11\/26 12:25:00\)\] was less than the lower thresholds \[[\d.]+\] or greater than the upper thresholds \[[\d.]+\]/);
    const rd = JSON.parse(ev.detail.state.reasonData);
    expect(rd.recentLowerThresholds[0]).toBeGreaterThan(0);
    expect(rd.recentUpperThresholds[0]).toBeLessThan(0.2);
  });

  test('GIVEN a multi time series Metrics Insights alarm WHEN contributors breach THEN alarm-level and contributor events have the keys of the documented pair', () => {
    const { cw, store, runTo } = cloudwatch({ mutes: [{ ...mute, alarmNamePrefix: 'doc-insights' }] });
    const query = 'SELECT AVG(ConsumedWriteCapacityUnits) FROM "AWS/DynamoDB" GROUP BY TableName ORDER BY MAX() DESC';
    cw.addAlarm({
      alarmName: 'doc-insights',
      alarmDescription: 'Metrics Insights alarm for DynamoDB ConsumedWriteCapacity per TableName',
      metrics: [{ id: 'm1', expression: query, returnData: true, period: 60 }],
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      evaluationPeriods: 1,
    });
    for (const table of ['a', 'b']) store.put({ namespace: 'AWS/DynamoDB', metricName: 'ConsumedWriteCapacityUnits', dimensions: { TableName: table } }, T0, 0);
    const t = runTo(1);
    const contributor = t.find((x) => x.contributor?.TableName === 'a')!.event as any;
    const alarmLevel = t.find((x) => !x.contributor)!.event as any;
    // The documented alarm-level example has no muteDetail, the contributor example has one.
    delete alarmLevel.detail.muteDetail;
    expect(shape(alarmLevel)).toEqual(shape(documentedEvent('metrics-insights-alarm.json')));
    expect(shape(contributor)).toEqual(shape(documentedEvent('metrics-insights-contributor.json')));
    expect(alarmLevel.detail.state.reason).toBe('2 out of 2 time series evaluated to ALARM');
    expect(contributor.detail.state.reason).toBe('Threshold Crossed: 1 datapoint was less than the threshold (1.0). The most recent datapoint which crossed the threshold: [0.0 (28/11/26 12:00:00)].');
    expect(contributor.detail.alarmContributor).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/), attributes: { TableName: 'a' } });
    expect(contributor.detail.previousState).toBeUndefined();
    expect(contributor.detail.state.reasonData).toBeUndefined();
  });

  test('GIVEN a composite alarm with an actions suppressor WHEN a child alarms THEN the event has the keys of composite.json (no description)', () => {
    const { cw, store, runTo } = cloudwatch({ mutes: [mute] });
    const child = (alarmName: string, instance: string) => cw.addAlarm({
      alarmName,
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: { InstanceId: instance },
      statistic: 'Average',
      period: 60,
      threshold: 50,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
    });
    child('doc-cpu-high', 'i-1');
    child('doc-traffic-high', 'i-2');
    child('doc-maintenance', 'i-3');
    cw.addCompositeAlarm({
      alarmName: 'doc-service',
      alarmRule: 'ALARM(doc-cpu-high) OR ALARM(doc-traffic-high)',
      actionsSuppressor: 'doc-maintenance',
      actionsSuppressorWaitPeriod: 120,
      actionsSuppressorExtensionPeriod: 180,
    });
    store.put(cpu('i-1'), T0 + 2 * MIN, 99);
    const t = runTo(3).filter((x) => x.alarmName === 'doc-service');
    expect(t.map((x) => `${x.from}->${x.to}`)).toEqual(['INSUFFICIENT_DATA->OK', 'OK->ALARM']);
    const ev = t[1].event as any;
    expect(shape(ev)).toEqual(shape(documentedEvent('composite.json')));
    expect(ev.detail.previousState.reason).toBe('arn:aws:cloudwatch:us-east-1:123456789012:alarm:doc-service was created and its alarm rule evaluates to OK');
    expect(ev.detail.state.reason).toBe('arn:aws:cloudwatch:us-east-1:123456789012:alarm:doc-cpu-high transitioned to ALARM at Saturday 28 November, 2026 12:03:00 UTC');
    expect(JSON.parse(ev.detail.state.reasonData).triggeringAlarms).toEqual([{ arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:doc-cpu-high', state: { value: 'ALARM', timestamp: '2026-11-28T12:03:00.000+0000' } }]);
    expect(ev.detail.state.actionsSuppressedBy).toBe('WaitPeriod');
  });

  test('GIVEN no mute rule covering the time THEN no muteDetail, and a description only when configured', () => {
    const { cw, store, runTo } = cloudwatch({ mutes: [{ ...mute, start: T0 + 60 * MIN, end: T0 + 120 * MIN }] });
    cw.addAlarm({
      alarmName: 'doc-plain',
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: { InstanceId: 'i-12345678901234567' },
      statistic: 'Average',
      period: 60,
      threshold: 50,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
    });
    store.put(cpu(), T0, 99);
    const ev = runTo(1)[0].event as any;
    expect(ev.detail.muteDetail).toBeUndefined();
    expect(ev.detail.configuration.description).toBeUndefined();
  });
});
