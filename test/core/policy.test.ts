import { DEFAULT_POLICY, LAMBDA_MAX_MEMORY_MB, LAMBDA_MIN_MEMORY_MB, MAX_STEP_LIMIT_MB, PolicyError, resolvePolicy } from '../../src/core/policy';

describe('resolvePolicy: the guardrails every decision passes through', () => {
  test('GIVEN no overrides WHEN resolved THEN the documented defaults apply', () => {
    expect(resolvePolicy()).toEqual({
      maxMemoryMb: 10240, maxStepMb: 4096, minStepMb: 128, oomStepFactor: 1.5, headroomFraction: 0.25, minConfidence: 0.7, raiseMemoryForCpu: false,
    });
    expect(resolvePolicy()).toEqual(DEFAULT_POLICY);
    expect([LAMBDA_MIN_MEMORY_MB, LAMBDA_MAX_MEMORY_MB, MAX_STEP_LIMIT_MB]).toEqual([128, 10240, 10112]);
  });

  test('GIVEN overrides given as undefined WHEN resolved THEN they keep the defaults (as a handler passes unset policy fields)', () => {
    const p = resolvePolicy({
      maxMemoryMb: 3008, maxStepMb: undefined, minStepMb: undefined, oomStepFactor: undefined, headroomFraction: undefined, minConfidence: undefined,
    });
    expect(p).toEqual({ ...DEFAULT_POLICY, maxMemoryMb: 3008 });
  });

  test('GIVEN a maximum above Lambda\'s WHEN resolved THEN it is clamped to 10,240 MB; a fractional one is rounded down', () => {
    expect(resolvePolicy({ maxMemoryMb: 20000 }).maxMemoryMb).toBe(10240);
    expect(resolvePolicy({ maxMemoryMb: 3008.9 }).maxMemoryMb).toBe(3008);
  });

  test('GIVEN a smallest step set explicitly WHEN resolved THEN it is kept, even when the largest step is below 128 MB', () => {
    expect(resolvePolicy({ minStepMb: 256 }).minStepMb).toBe(256);
    expect(resolvePolicy({ maxStepMb: 100, minStepMb: 10 })).toMatchObject({ maxStepMb: 100, minStepMb: 10 });
    expect(resolvePolicy({ maxStepMb: 200 }).minStepMb).toBe(128);
  });

  test.each([
    ['maxMemoryMb at Lambda\'s minimum', { maxMemoryMb: 128 }],
    ['maxStepMb at its limit', { maxStepMb: MAX_STEP_LIMIT_MB }],
    ['minStepMb of 1 MB', { minStepMb: 1 }],
    ['minStepMb equal to maxStepMb', { maxStepMb: 512, minStepMb: 512 }],
    ['oomStepFactor of 4', { oomStepFactor: 4 }],
    ['headroomFraction of 0', { headroomFraction: 0 }],
    ['headroomFraction of 2', { headroomFraction: 2 }],
    ['minConfidence of 0', { minConfidence: 0 }],
    ['minConfidence of 1', { minConfidence: 1 }],
  ])('GIVEN %s (a boundary) WHEN resolved THEN it is accepted as given', (_label, overrides) => {
    expect(resolvePolicy(overrides)).toMatchObject(overrides);
  });

  test.each([
    [{ maxMemoryMb: 127 }, 'maxMemoryMb must be at least 128, got 127'],
    [{ maxMemoryMb: Number.NaN }, 'maxMemoryMb must be at least 128, got NaN'],
    [{ maxStepMb: MAX_STEP_LIMIT_MB + 1 }, 'maxStepMb must be a whole number between 1 and 10112, got 10113'],
    [{ maxStepMb: 64.5 }, 'maxStepMb must be a whole number between 1 and 10112, got 64.5'],
    [{ minStepMb: 0 }, 'minStepMb must be at least 1 and at most maxStepMb, got 0'],
    [{ maxStepMb: 256, minStepMb: 257 }, 'minStepMb must be at least 1 and at most maxStepMb, got 257'],
    [{ oomStepFactor: 1 }, 'oomStepFactor must be above 1 and at most 4, got 1'],
    [{ oomStepFactor: 4.01 }, 'oomStepFactor must be above 1 and at most 4, got 4.01'],
    [{ headroomFraction: -0.01 }, 'headroomFraction must be between 0 and 2, got -0.01'],
    [{ headroomFraction: 2.01 }, 'headroomFraction must be between 0 and 2, got 2.01'],
    [{ minConfidence: -0.01 }, 'minConfidence must be between 0 and 1, got -0.01'],
    [{ minConfidence: 1.01 }, 'minConfidence must be between 0 and 1, got 1.01'],
    // a handler reads the policy from JSON: a string is not a switch
    [{ raiseMemoryForCpu: 'true' as unknown as boolean }, 'raiseMemoryForCpu must be true or false, got true'],
    [{ raiseMemoryForCpu: 1 as unknown as boolean }, 'raiseMemoryForCpu must be true or false, got 1'],
  ])('fails for %j with a PolicyError naming the value', (overrides, message) => {
    expect(() => resolvePolicy(overrides)).toThrow(new PolicyError(`invalid remediation policy: ${message}`));
  });

  test('fails with every problem at once, and the error is named PolicyError', () => {
    let caught: unknown;
    try {
      resolvePolicy({ maxMemoryMb: 64, oomStepFactor: 9 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    expect(caught).toMatchObject({
      name: 'PolicyError',
      message: 'invalid remediation policy: maxMemoryMb must be at least 128, got 64; oomStepFactor must be above 1 and at most 4, got 9',
    });
  });
});
