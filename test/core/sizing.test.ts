import { DEFAULT_POLICY, recommendMemorySize, resolvePolicy, SizingError } from '../../src/core';

describe('recommendMemorySize', () => {
  test('GIVEN an OOM kill at 256 MB WHEN sized THEN it steps up by the OOM factor to 384 MB', () => {
    const r = recommendMemorySize({ currentMb: 256, basis: 'unknown-need' }, DEFAULT_POLICY);
    expect(r).toMatchObject({ recommendedMb: 384, increaseMb: 128, atCeiling: false, limitedBy: 'none', desiredMb: 384 });
  });

  test('GIVEN a known peak of 2017 MB at 2048 MB WHEN sized THEN it is the peak plus 25 % headroom, whole MB', () => {
    const r = recommendMemorySize({ currentMb: 2048, basis: 'known-peak', peakMb: 2017 }, DEFAULT_POLICY);
    expect(r).toMatchObject({ recommendedMb: 2522, increaseMb: 474, limitedBy: 'none' });
    expect(r.explanation).toContain('peak 2017 MB plus 25 % headroom is 2522 MB');
  });

  test('GIVEN a peak whose headroom is less than one step WHEN sized THEN the minimum step applies', () => {
    const r = recommendMemorySize({ currentMb: 1024, basis: 'known-peak', peakMb: 900 }, DEFAULT_POLICY);
    expect(r).toMatchObject({ recommendedMb: 1152, increaseMb: 128, limitedBy: 'min-step' });
  });

  test('GIVEN a large function WHEN the factor asks for more than the largest step THEN the step is held to maxStepMb', () => {
    const r = recommendMemorySize({ currentMb: 4096, basis: 'unknown-need' }, resolvePolicy({ maxStepMb: 1024 }));
    expect(r).toMatchObject({ recommendedMb: 5120, increaseMb: 1024, limitedBy: 'max-step' });
  });

  test('GIVEN a policy maximum of 3008 MB WHEN the target is above it THEN it is clamped to 3008 MB', () => {
    const r = recommendMemorySize({ currentMb: 2048, basis: 'unknown-need' }, resolvePolicy({ maxMemoryMb: 3008 }));
    expect(r).toMatchObject({ recommendedMb: 3008, increaseMb: 960, limitedBy: 'policy-maximum', ceilingMb: 3008 });
  });

  test('GIVEN 8192 MB WHEN the factor asks for 12288 MB THEN it is clamped to the Lambda maximum of 10240 MB', () => {
    const r = recommendMemorySize({ currentMb: 8192, basis: 'unknown-need' }, DEFAULT_POLICY);
    expect(r).toMatchObject({ recommendedMb: 10240, increaseMb: 2048, limitedBy: 'lambda-maximum' });
  });

  test('GIVEN a function already at 10240 MB WHEN sized THEN no increase is possible and the explanation says why', () => {
    const r = recommendMemorySize({ currentMb: 10240, basis: 'unknown-need' }, DEFAULT_POLICY);
    expect(r).toMatchObject({ recommendedMb: 10240, increaseMb: 0, atCeiling: true, limitedBy: 'lambda-maximum' });
    expect(r.explanation).toContain('no increase is possible: the function already has 10240 MB, at the Lambda maximum of 10240 MB');
  });

  test('GIVEN a function at the policy maximum WHEN sized THEN no increase is possible', () => {
    const r = recommendMemorySize({ currentMb: 3008, basis: 'known-peak', peakMb: 3000 }, resolvePolicy({ maxMemoryMb: 3008 }));
    expect(r).toMatchObject({ increaseMb: 0, atCeiling: true, limitedBy: 'policy-maximum' });
    expect(r.explanation).toContain('the policy maximum of 3008 MB');
  });

  test('GIVEN a fractional factor WHEN sized THEN the result is rounded up to whole MB', () => {
    const r = recommendMemorySize({ currentMb: 1000, basis: 'unknown-need' }, resolvePolicy({ oomStepFactor: 1.3333 }));
    expect(r.recommendedMb).toBe(1334);
    expect(Number.isInteger(r.recommendedMb)).toBe(true);
  });

  test('fails when known-peak sizing has no peak', () => {
    expect(() => recommendMemorySize({ currentMb: 1024, basis: 'known-peak' }, DEFAULT_POLICY)).toThrow(SizingError);
    expect(() => recommendMemorySize({ currentMb: 1024, basis: 'known-peak' }, DEFAULT_POLICY)).toThrow('known-peak sizing needs a positive peak, got undefined');
  });

  test('fails when the current size is not positive', () => {
    expect(() => recommendMemorySize({ currentMb: 0, basis: 'unknown-need' }, DEFAULT_POLICY)).toThrow('current memory size must be a positive number, got 0');
  });
});

describe('steps below 128 MB (issue 10)', () => {
  test('GIVEN maxStepMb 64 WHEN the policy resolves THEN the smallest step follows it down and sizing adds 64 MB', () => {
    const policy = resolvePolicy({ maxStepMb: 64 });
    expect(policy.minStepMb).toBe(64);
    expect(recommendMemorySize({ currentMb: 256, basis: 'unknown-need' }, policy)).toMatchObject({ recommendedMb: 320, increaseMb: 64, limitedBy: 'max-step' });
  });

  test('GIVEN maxStepMb 1 WHEN sized THEN it still raises by Lambda\'s 1 MB step', () => {
    expect(recommendMemorySize({ currentMb: 256, basis: 'unknown-need' }, resolvePolicy({ maxStepMb: 1 })).increaseMb).toBe(1);
  });

  test('fails when maxStepMb is below 1 MB or not whole, naming the value', () => {
    expect(() => resolvePolicy({ maxStepMb: 0.5 })).toThrow('maxStepMb must be a whole number between 1 and 10112, got 0.5');
    expect(() => resolvePolicy({ maxStepMb: 0 })).toThrow('maxStepMb must be a whole number between 1 and 10112, got 0');
  });
});

describe('sizing limits: which one shaped the size, at their exact boundaries', () => {
  test('GIVEN the factor lands exactly on current + largest step WHEN sized THEN no limit applied (none), not "held to the largest step"', () => {
    const r = recommendMemorySize({ currentMb: 256, basis: 'unknown-need' }, resolvePolicy({ maxStepMb: 128 }));
    expect(r).toMatchObject({ recommendedMb: 384, limitedBy: 'none' });
    expect(r.explanation).toBe('the true need is unknown (the function was cut off or used all of its memory), so 256 MB x 1.5 is 384 MB: recommend 384 MB (+128 MB from 256 MB)');
  });

  test('GIVEN the factor lands exactly on the policy maximum WHEN sized THEN no limit applied', () => {
    const r = recommendMemorySize({ currentMb: 2048, basis: 'unknown-need' }, resolvePolicy({ maxMemoryMb: 3072 }));
    expect(r).toMatchObject({ recommendedMb: 3072, limitedBy: 'none', ceilingMb: 3072, atCeiling: false });
  });

  test('GIVEN one MB below the ceiling WHEN sized THEN it still rises, to the ceiling', () => {
    const r = recommendMemorySize({ currentMb: 3007, basis: 'unknown-need' }, resolvePolicy({ maxMemoryMb: 3008 }));
    expect(r).toMatchObject({ recommendedMb: 3008, increaseMb: 1, atCeiling: false, limitedBy: 'policy-maximum' });
  });

  test('GIVEN a function above the policy maximum WHEN sized THEN no increase, and never a decrease', () => {
    const r = recommendMemorySize({ currentMb: 4096, basis: 'unknown-need' }, resolvePolicy({ maxMemoryMb: 3008 }));
    expect(r).toMatchObject({ recommendedMb: 4096, increaseMb: 0, atCeiling: true, limitedBy: 'policy-maximum', ceilingMb: 3008 });
  });

  test('each limit is named in the explanation', () => {
    expect(recommendMemorySize({ currentMb: 1024, basis: 'known-peak', peakMb: 900 }, DEFAULT_POLICY).explanation)
      .toBe('peak 900 MB plus 25 % headroom is 1125 MB; raised to the smallest step of +128 MB: recommend 1152 MB (+128 MB from 1024 MB)');
    expect(recommendMemorySize({ currentMb: 4096, basis: 'unknown-need' }, resolvePolicy({ maxStepMb: 1024 })).explanation)
      .toBe('the true need is unknown (the function was cut off or used all of its memory), so 4096 MB x 1.5 is 6144 MB; held to the largest single step of +1024 MB: recommend 5120 MB (+1024 MB from 4096 MB)');
    expect(recommendMemorySize({ currentMb: 2048, basis: 'unknown-need' }, resolvePolicy({ maxMemoryMb: 3008 })).explanation)
      .toBe('the true need is unknown (the function was cut off or used all of its memory), so 2048 MB x 1.5 is 3072 MB; clamped to the policy maximum of 3008 MB: recommend 3008 MB (+960 MB from 2048 MB)');
    expect(recommendMemorySize({ currentMb: 8192, basis: 'unknown-need' }, DEFAULT_POLICY).explanation)
      .toBe('the true need is unknown (the function was cut off or used all of its memory), so 8192 MB x 1.5 is 12288 MB; clamped to the Lambda maximum of 10240 MB: recommend 10240 MB (+2048 MB from 8192 MB)');
  });

  test('GIVEN a policy maximum set at 10,240 MB WHEN at the ceiling THEN the explanation names Lambda\'s maximum', () => {
    const r = recommendMemorySize({ currentMb: 10240, basis: 'known-peak', peakMb: 10000 }, resolvePolicy({ maxMemoryMb: 10240 }));
    expect(r.explanation).toBe('no increase is possible: the function already has 10240 MB, at the Lambda maximum of 10240 MB; peak 10000 MB plus 25 % headroom is 12500 MB');
  });

  test.each([0, -5, Number.POSITIVE_INFINITY, Number.NaN])('fails for a known peak of %p', (peakMb) => {
    expect(() => recommendMemorySize({ currentMb: 1024, basis: 'known-peak', peakMb }, DEFAULT_POLICY)).toThrow(`known-peak sizing needs a positive peak, got ${peakMb}`);
  });

  test.each([-128, Number.POSITIVE_INFINITY, Number.NaN])('fails for a current size of %p', (currentMb) => {
    expect(() => recommendMemorySize({ currentMb, basis: 'unknown-need' }, DEFAULT_POLICY)).toThrow(SizingError);
    expect(() => recommendMemorySize({ currentMb, basis: 'unknown-need' }, DEFAULT_POLICY))
      .toThrow(expect.objectContaining({ name: 'SizingError', message: `current memory size must be a positive number, got ${currentMb}` }));
  });

  test('a known peak is sized from the peak, not from the current size', () => {
    // 512 MB configured, peak 500 MB: 500 x 1.25 = 625 (the factor on the current size would give 768)
    expect(recommendMemorySize({ currentMb: 512, basis: 'known-peak', peakMb: 500 }, DEFAULT_POLICY)).toMatchObject({ desiredMb: 625, recommendedMb: 640, limitedBy: 'min-step' });
  });
});
