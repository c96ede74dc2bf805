import { healthy, request, rid, textInvocation } from './support';
import { compareWithBaseline, diagnose, earlierRaises, memoryFailureCounts, parseDiagnosisRequest, PastCase, RequestValidationError } from '../../src/core';

const ALARM_AT = '2026-11-20T11:30:00.000Z';

/** Completed invocations of one warm environment climbing by 6 MB each, then (optionally) one kill at the limit. */
let n = 50_000;
function environment(sizeMb: number, count: number, fromMb: number, killed: boolean) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const used = Math.min(sizeMb - 8, fromMb + i * 6);
    out.push(...textInvocation({ id: rid(n++), memorySizeMb: sizeMb, maxMemoryUsedMb: used, ...(i === 0 ? { initDurationMs: 250 } : {}) }));
  }
  if (killed) out.push(...textInvocation({ id: rid(n++), memorySizeMb: sizeMb, maxMemoryUsedMb: sizeMb, status: 'error', errorType: 'Runtime.OutOfMemory' }));
  return out;
}

/** Kills at the limit without any climb: plain undersizing. */
function flatKills(sizeMb: number) {
  n += 100;
  const kill = () => environment(sizeMb, 1, sizeMb - 8, true);
  return [...healthy(20, sizeMb, Math.round(sizeMb * 0.6), n), ...kill(), ...kill()];
}

const raise = (over: Partial<PastCase> = {}): PastCase => ({
  caseId: 'exec-1',
  at: '2026-11-20T10:50:00.000Z',
  outcome: 'REPAIRED',
  category: 'OUT_OF_MEMORY',
  originalMemory: 512,
  newMemory: 768,
  memoryClimbing: true,
  memoryFailures: 2,
  invocations: 120,
  ...over,
});

describe('leaks and the repair history (issue 11 item 2)', () => {
  const climbingAt768 = () => [...environment(768, 60, 200, true), ...environment(768, 60, 210, true)];

  test('GIVEN a leak already raised once 40 minutes ago and the need climbing at the new size WHEN diagnosed THEN no second raise: escalated as a leak, naming the earlier repair', () => {
    const r = diagnose(request(climbingAt768(), { alarmTime: ALARM_AT, history: [raise()] }, 768));

    expect(r).toMatchObject({ isMemoryIssue: true, recommendedAction: 'HUMAN_REVIEW', recommendedMemoryIncrease: 0, recommendedMemorySize: 768 });
    expect(r.reasoning).toContain('No further raise: memory was already raised once for this (512 MB -> 768 MB at 2026-11-20T10:50:00.000Z (REPAIRED, the need was climbing)) and the need is still climbing at the new size');
    expect(r.reasoning).toContain('escalated as a leak');
    expect(r.evidencePoints).toContainEqual({
      type: 'REPAIR_HISTORY',
      description: 'memory of this function was raised once in the last 7 days: 512 MB -> 768 MB at 2026-11-20T10:50:00.000Z (REPAIRED, the need was climbing)',
    });
    expect(r.evidencePoints.map((p) => p.type)).toContain('MEMORY_CLIMBING');
    expect(r.knowledgeReferences?.map((k) => k.id)).toContain('rb-memory-leak');
  });

  test('GIVEN the same evidence and no history WHEN diagnosed THEN the one stopgap raise is allowed', () => {
    const r = diagnose(request(climbingAt768(), { alarmTime: ALARM_AT }, 768));
    expect(r).toMatchObject({ recommendedAction: 'INCREASE_MEMORY', recommendedMemorySize: 1152 });
    expect(r.reasoning).toContain('This raise is a stopgap');
  });

  test('GIVEN an earlier raise for a climbing need WHEN kills come back without a visible climb THEN it is escalated too', () => {
    const r = diagnose(request(flatKills(768), { alarmTime: ALARM_AT, history: [raise()] }, 768));
    expect(r.recommendedAction).toBe('HUMAN_REVIEW');
    expect(r.reasoning).toContain('that raise was for a climbing need and memory fails again');
  });

  test('GIVEN one earlier raise for plain undersizing and no climb now WHEN killed again THEN it is raised again, the earlier repair named', () => {
    const r = diagnose(request(flatKills(768), { alarmTime: ALARM_AT, history: [raise({ memoryClimbing: false })] }, 768));
    expect(r.recommendedAction).toBe('INCREASE_MEMORY');
    expect(r.evidencePoints).toContainEqual(expect.objectContaining({ type: 'REPAIR_HISTORY' }));
  });

  test('GIVEN two earlier raises in the window WHEN killed a third time THEN the creep stops: escalated', () => {
    const history = [
      raise({ memoryClimbing: false, originalMemory: 768, newMemory: 1152, at: '2026-11-20T09:00:00.000Z' }),
      raise({ memoryClimbing: false, at: '2026-11-19T09:00:00.000Z' }),
    ];
    const r = diagnose(request(flatKills(1152), { alarmTime: ALARM_AT, history }, 1152));
    expect(r.recommendedAction).toBe('HUMAN_REVIEW');
    expect(r.reasoning).toContain('memory was already raised 2 times in the last 7 days');
  });

  test.each([
    ['rolled back', { outcome: 'ROLLED_BACK' }],
    ['a dry run', { outcome: 'REPAIRED_DRY_RUN' }],
    ['older than the window', { at: '2026-11-10T10:00:00.000Z' }],
    ['after the evidence', { at: '2026-11-20T12:00:00.000Z' }],
    ['a review that changed nothing', { outcome: 'HUMAN_REVIEW', newMemory: 512 }],
  ])('GIVEN an earlier case %s WHEN diagnosed THEN it does not count as a raise', (_name, over) => {
    const r = diagnose(request(climbingAt768(), { alarmTime: ALARM_AT, history: [raise(over)] }, 768));
    expect(r.recommendedAction).toBe('INCREASE_MEMORY');
    expect(earlierRaises([raise(over)], ALARM_AT)).toEqual([]);
  });
});

describe('the history in a request', () => {
  test('is validated field by field', () => {
    const base = request([], { alarmTime: ALARM_AT });
    expect(parseDiagnosisRequest({ ...base, history: [raise()] }).history).toEqual([raise()]);
    expect(() => parseDiagnosisRequest({ ...base, history: [{ ...raise(), newMemory: 20000 }] })).toThrow(RequestValidationError);
    expect(() => parseDiagnosisRequest({ ...base, history: [{ ...raise(), memoryClimbing: 'yes' }] })).toThrow('history[0].memoryClimbing must be a boolean, got "yes"');
    expect(() => parseDiagnosisRequest({ ...base, history: {} })).toThrow('history must be an array, got an object');
  });
});

describe('memory failure counts', () => {
  test('count the invocations killed, out of memory or at the limit, out of all', () => {
    const logs = [...healthy(8, 512, 300), ...environment(512, 1, 504, true)];
    expect(memoryFailureCounts(request(logs))).toEqual({ memoryFailures: 1, invocations: 10 });
  });
});

describe('follow-up comparison (issue 11 item 3)', () => {
  const review = { at: '2026-11-20T10:00:00.000Z', action: 'HUMAN_REVIEW', category: 'OUT_OF_MEMORY', memoryFailures: 10, invocations: 100 };

  test('a memory failure rate that rose is a change', () => {
    const c = compareWithBaseline(review, { ...review, at: ALARM_AT, memoryFailures: 60 });
    expect(c).toEqual({
      changed: true,
      summary: 'the memory failure rate rose since 2026-11-20T10:00:00.000Z (HUMAN_REVIEW, OUT_OF_MEMORY): memory failures in 10 of 100 invocations (10 %) then, memory failures in 60 of 100 invocations (60 %) now',
    });
  });

  test.each([
    ['the same rate', 11],
    ['a small rise', 14],
    ['a falling rate', 2],
  ])('%s is no change', (_name, failures) => {
    expect(compareWithBaseline(review, { ...review, at: ALARM_AT, memoryFailures: failures }).changed).toBe(false);
  });

  test('a different category is a change', () => {
    expect(compareWithBaseline(review, { ...review, category: 'FUNCTION_TIMEOUT', memoryFailures: 0 })).toMatchObject({ changed: true, summary: expect.stringContaining('changed from OUT_OF_MEMORY to FUNCTION_TIMEOUT') });
  });

  test('the first memory failures after none are a change; no baseline at all is one too', () => {
    expect(compareWithBaseline({ ...review, memoryFailures: 0 }, { ...review, memoryFailures: 3 }).changed).toBe(true);
    expect(compareWithBaseline(undefined, review)).toEqual({ changed: true, summary: 'no earlier case of this function was found to compare with' });
  });
});
