import {
  BEDROCK_LIMIT_CEILINGS,
  BedrockLimitsError,
  bedrockLimitsFromEnv,
  bedrockLimitsToEnv,
  budgetDay,
  checkModelCallBudget,
  DEFAULT_BEDROCK_LIMITS,
  estimateTokens,
  LIMIT_ENV,
  resolveBedrockLimits,
  truncateText,
} from '../../src/knowledge/limits';

describe('Bedrock limits', () => {
  test('GIVEN the defaults THEN each is positive and within its ceiling', () => {
    for (const [key, value] of Object.entries(DEFAULT_BEDROCK_LIMITS)) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThanOrEqual(BEDROCK_LIMIT_CEILINGS[key as keyof typeof BEDROCK_LIMIT_CEILINGS]);
    }
    expect(DEFAULT_BEDROCK_LIMITS.maxModelCallsPerDiagnosis).toBe(2);
    expect(DEFAULT_BEDROCK_LIMITS.dailyModelCallBudget).toBe(200);
  });

  test('GIVEN overrides WHEN resolved THEN they replace the defaults and the rest stays', () => {
    const limits = resolveBedrockLimits({ dailyModelCallBudget: 50, maxOutputTokensPerCall: undefined });
    expect(limits.dailyModelCallBudget).toBe(50);
    expect(limits.maxOutputTokensPerCall).toBe(1024);
  });

  test('fails when an override passes its ceiling, is not whole, or is unknown', () => {
    expect(() => resolveBedrockLimits({ maxModelCallsPerDiagnosis: 5 })).toThrow('maxModelCallsPerDiagnosis must be a whole number from 1 to 4, got 5');
    expect(() => resolveBedrockLimits({ maxLogLines: 2.5 })).toThrow(BedrockLimitsError);
    expect(() => resolveBedrockLimits({ bogus: 1 } as never)).toThrow("unknown limit 'bogus'");
  });

  test('GIVEN limits WHEN written to env and read back THEN they round-trip', () => {
    const limits = resolveBedrockLimits({ maxRetrievedPassages: 5, agentTimeoutMs: 30_000 });
    const env = bedrockLimitsToEnv(limits);
    expect(env[LIMIT_ENV.maxRetrievedPassages]).toBe('5');
    expect(bedrockLimitsFromEnv(env)).toEqual(limits);
  });

  test('fails when an environment value is not a number', () => {
    expect(() => bedrockLimitsFromEnv({ BEDROCK_DAILY_CALL_BUDGET: 'lots' })).toThrow(/dailyModelCallBudget must be a whole number from 1 to 10000, got NaN/);
  });

  test('GIVEN an empty environment WHEN read THEN the defaults apply', () => {
    expect(bedrockLimitsFromEnv({})).toEqual(DEFAULT_BEDROCK_LIMITS);
  });
});

describe('checkModelCallBudget', () => {
  const limits = resolveBedrockLimits({ dailyModelCallBudget: 10, maxModelCallsPerDiagnosis: 2 });

  test('GIVEN calls left today WHEN checked THEN allowed with the remaining count after this call', () => {
    expect(checkModelCallBudget(3, 0, limits)).toEqual({ allowed: true, remaining: 6 });
  });

  test('GIVEN the daily budget used WHEN checked THEN refused with the reason', () => {
    expect(checkModelCallBudget(10, 0, limits)).toEqual({ allowed: false, remaining: 0, reason: 'daily budget of 10 model calls used (10 today)' });
  });

  test('GIVEN the per-diagnosis limit reached WHEN checked THEN refused even with daily budget left', () => {
    expect(checkModelCallBudget(0, 2, limits)).toEqual({ allowed: false, remaining: 0, reason: 'per-diagnosis limit of 2 model calls reached' });
  });

  test('GIVEN a time WHEN keyed THEN the UTC day is used', () => {
    expect(budgetDay(new Date('2026-11-28T23:59:59-02:00'))).toBe('2026-11-29');
  });
});

describe('text bounds', () => {
  test('GIVEN long text WHEN truncated THEN it fits and says how much was cut', () => {
    const out = truncateText('x'.repeat(1000), 100);
    expect(out.length).toBe(100);
    expect(out.endsWith('[truncated 900 characters]')).toBe(true);
  });

  test('GIVEN short text WHEN truncated THEN it is unchanged', () => {
    expect(truncateText('REPORT RequestId', 100)).toBe('REPORT RequestId');
  });

  test('GIVEN text WHEN tokens are estimated THEN the estimate is pessimistic (3.5 characters per token)', () => {
    expect(estimateTokens('a'.repeat(350))).toBe(100);
  });
});
