import { summarizeMetrics } from '../../../src/core';
import { fixture, request, series } from '../support';

describe('summarizeMetrics', () => {
  test('GIVEN no alarmTime WHEN summarised THEN the series split at the first breach of the alarm metric', () => {
    const s = summarizeMetrics(request([], {
      metrics: series([0, 0, 0, 4, 6]),
      metricSeries: { Invocations: series([60, 60, 60, 60, 60]), Errors: series([0, 0, 0, 4, 6]) },
    }));
    expect(s.splitSource).toBe('firstBreach');
    expect(s.splitTime).toBe('2026-11-20T10:03:00.000Z');
    expect(s.alarmBreaches).toBe(2);
    expect(s.series.Errors.before).toEqual({ count: 3, sum: 0, mean: 0, max: 0 });
    expect(s.series.Errors.after).toEqual({ count: 2, sum: 10, mean: 5, max: 6 });
    expect(s.errorRateBefore).toBe(0);
    expect(s.errorRateAfter).toBeCloseTo(10 / 120, 10);
  });

  test('GIVEN an alarmTime WHEN summarised THEN it wins over the first breach', () => {
    const s = summarizeMetrics(request([], {
      alarmTime: '2026-11-20T10:01:30.000Z',
      metrics: series([0, 0, 0, 4, 6]),
      metricSeries: { Duration: series([100, 100, 200, 200, 200]) },
    }));
    expect(s.splitSource).toBe('alarmTime');
    expect(s.series.Duration.before.count).toBe(2);
    expect(s.series.Duration.change).toBe(1);
  });

  test('GIVEN the gc-pressure sample WHEN summarised THEN Duration is rising and nothing is throttled', () => {
    const s = summarizeMetrics(fixture('gc-pressure-duration'));
    expect(s.series.Duration.direction).toBe('rising');
    expect(s.series.Duration.trend).toBeGreaterThan(0.9);
    expect(s.series.Invocations.direction).toBe('flat');
    expect(s.totalThrottles).toBe(0);
    expect(s.throttleRateAfter).toBe(0);
  });

  test('GIVEN Throttles WHEN summarised THEN the throttle rate counts throttled over all requests', () => {
    const s = summarizeMetrics(request([], {
      metrics: series([0, 5, 5]),
      alarmDetails: { alarmName: 't', metricName: 'Throttles', threshold: 1, evaluationPeriods: 1 },
      metricSeries: { Invocations: series([100, 90, 90]), Throttles: series([0, 10, 10]) },
    }));
    expect(s.throttleRateAfter).toBeCloseTo(0.1, 10);
    expect(s.totalThrottles).toBe(20);
  });

  test('GIVEN the alarm metric only in metrics WHEN summarised THEN it is summarised under its name', () => {
    const s = summarizeMetrics(request([], { metrics: series([1, 2, 3, 4]) }));
    expect(s.series.Errors.points).toBe(4);
    expect(s.series.Errors.direction).toBe('rising');
  });

  test('GIVEN no breach and no alarmTime WHEN summarised THEN every point is after the (absent) split', () => {
    const s = summarizeMetrics(request([], { metrics: series([0, 0]) }));
    expect(s.splitSource).toBe('none');
    expect(s.splitTime).toBeUndefined();
    expect(s.series.Errors.after.count).toBe(2);
  });
});
