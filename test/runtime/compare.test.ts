import { compareCanary, compareWindows, improvementText, WindowFacts } from '../../src/core/verification/compare';

const base: WindowFacts = { alarmMetric: 10, invocations: 100, errors: 10, oomCount: 10, timeoutCount: 0, reportCount: 100, memoryUtilization: 1 };

describe('compareWindows', () => {
  test('SUCCEEDED when the alarm metric improves and OOMs stop', () => {
    const r = compareWindows({ before: base, after: { ...base, alarmMetric: 1, errors: 1, oomCount: 0, memoryUtilization: 0.7 }, minInvocations: 5 });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.metricsComparison).toEqual({ before: 10, after: 1, improvement: '+90.0%' });
    expect(r.details.oomRate).toEqual({ before: 0.1, after: 0, improvement: '+100.0%' });
  });

  test('FAILED when the alarm metric is unchanged although OOMs stopped', () => {
    const r = compareWindows({ before: base, after: { ...base, alarmMetric: 9.5, oomCount: 0 }, minInvocations: 5 });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe('alarm metric did not change (10 -> 9.5)');
  });

  test('FAILED when timeouts get worse', () => {
    const r = compareWindows({ before: base, after: { ...base, alarmMetric: 1, oomCount: 0, timeoutCount: 5 }, minInvocations: 5 });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toMatch(/^timeout rate got worse/);
  });

  test('INCONCLUSIVE below the minimum invocations', () => {
    const r = compareWindows({ before: base, after: { ...base, invocations: 3, reportCount: 3 }, minInvocations: 5 });
    expect(r.status).toBe('INCONCLUSIVE');
  });

  test('the error rate decides when the alarm metric has no baseline', () => {
    const r = compareWindows({
      before: { ...base, alarmMetric: undefined },
      after: { ...base, alarmMetric: undefined, errors: 2, oomCount: 0 },
      minInvocations: 5,
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.reason).toBe('error rate improved +80.0% (0.1 -> 0.02)');
  });

  test('improvement text', () => {
    expect(improvementText(200, 50)).toBe('+75.0%');
    expect(improvementText(50, 100)).toBe('-100.0%');
    expect(improvementText(0, 3)).toBe('n/a');
  });
});

describe('compareCanary: the canary against the version beside it', () => {
  const v = (version: string, invocations: number, errors: number) => ({ version, invocations, errors });

  test('GIVEN the old version killed and the canary clean THEN SUCCEEDED, naming both versions', () => {
    const r = compareCanary({ baseline: v('7', 240, 232), canary: v('8', 60, 0), minInvocations: 5 });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.reason).toBe('canary version 8 against version 7: error rate 0.9667 -> 0 (+100.0%)');
  });

  test('GIVEN the canary failing as often as the old version THEN FAILED (did not improve)', () => {
    const r = compareCanary({ baseline: v('7', 240, 240), canary: v('8', 60, 60), minInvocations: 5 });
    expect(r).toMatchObject({ status: 'FAILED', reason: 'canary version 8 against version 7: error rate did not improve (1 -> 1)' });
  });

  test('GIVEN the canary failing more often THEN FAILED (got worse)', () => {
    expect(compareCanary({ baseline: v('7', 100, 10), canary: v('8', 50, 20), minInvocations: 5 }).reason).toContain('got worse');
  });

  test('GIVEN fewer canary invocations than the minimum THEN INCONCLUSIVE, whatever the rates', () => {
    const r = compareCanary({ baseline: v('7', 100, 100), canary: v('8', 4, 0), minInvocations: 5 });
    expect(r).toMatchObject({ status: 'INCONCLUSIVE' });
    expect(r.reason).toContain('only 4 invocations on the canary, fewer than the 5 needed');
  });

  test('GIVEN no error on either version THEN INCONCLUSIVE: a canary cannot be shown to help', () => {
    expect(compareCanary({ baseline: v('7', 100, 0), canary: v('8', 25, 0), minInvocations: 5 }).status).toBe('INCONCLUSIVE');
  });
});
