import { effectivePolicy, envNumber, isManaged, readPolicyConfig, requireEnv } from '../../src/runtime/env';

describe('environment', () => {
  test('requireEnv names every missing variable', () => {
    expect(() => requireEnv(['TABLE_NAME', 'TOPIC_ARN'], { TABLE_NAME: ' ' })).toThrow('missing required environment variable(s): TABLE_NAME, TOPIC_ARN');
    expect(() => requireEnv(['TABLE_NAME'], { TABLE_NAME: 't' })).not.toThrow();
  });

  test('fails when a number is not a positive number, naming the value', () => {
    expect(() => envNumber('LOCK_TTL_SECONDS', 1, { LOCK_TTL_SECONDS: 'soon' })).toThrow("environment variable LOCK_TTL_SECONDS must be a positive number, got 'soon'");
    expect(envNumber('LOCK_TTL_SECONDS', 7, {})).toBe(7);
  });

  test('fails when REMEDIATION_POLICY is not json', () => {
    expect(() => readPolicyConfig({ REMEDIATION_POLICY: '{maxMemoryMb: 1}' })).toThrow(/REMEDIATION_POLICY is not valid json/);
  });

  test('defaults, policy and per-function overrides layer in that order', () => {
    const env = {
      REMEDIATION_POLICY: JSON.stringify({
        maxMemoryMb: 4096,
        maxStepMb: 1024,
        cooldownSeconds: 600,
        approvalMode: 'SELECTED',
        approvalFunctions: ['payments'],
        functionOverrides: { orders: { maxMemoryMb: 2048, dryRun: true, maxRepairsPerDay: 1 } },
      }),
    };
    const orders = effectivePolicy('orders', env);
    expect(orders.core.maxMemoryMb).toBe(2048);
    expect(orders.core.minConfidence).toBe(0.7);
    expect(orders).toMatchObject({
      dryRun: true, maxRepairsPerDay: 1, cooldownSeconds: 600, requireApproval: false, rollbackOnFailedVerification: true,
    });
    const payments = effectivePolicy('payments', env);
    expect(payments).toMatchObject({ dryRun: false, maxRepairsPerDay: 3, requireApproval: true });
    expect(payments.core.maxMemoryMb).toBe(4096);
  });

  test('raiseMemoryForCpu reaches the core policy from the construct\'s JSON, off by default', () => {
    const base = { maxMemoryMb: 3008, maxStepMb: 1024 };
    expect(effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify(base) }).core.raiseMemoryForCpu).toBe(false);
    expect(effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify({ ...base, raiseMemoryForCpu: true }) }).core.raiseMemoryForCpu).toBe(true);
  });

  test('fails when the policy makes no sense, naming the value', () => {
    const sizes = { maxMemoryMb: 3008, maxStepMb: 1024 };
    expect(() => effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify({ ...sizes, minConfidence: 3 }) })).toThrow(/minConfidence must be between 0 and 1, got 3/);
    expect(() => effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify({ ...sizes, approvalMode: 'SOME' }) })).toThrow(/approvalMode must be NONE, ALL or SELECTED, got 'SOME'/);
  });

  test('DRY_RUN=true makes every function a dry run', () => {
    const policy = JSON.stringify({ maxMemoryMb: 3008, maxStepMb: 1024 });
    expect(effectivePolicy('orders', { REMEDIATION_POLICY: policy, DRY_RUN: 'true' }).dryRun).toBe(true);
    expect(() => effectivePolicy('orders', { REMEDIATION_POLICY: policy, DRY_RUN: 'maybe' })).toThrow("environment variable DRY_RUN must be true or false, got 'maybe'");
  });

  test('MANAGED_FUNCTIONS: a list or *', () => {
    expect(isManaged('orders', { MANAGED_FUNCTIONS: 'orders, thumbnail' })).toBe(true);
    expect(isManaged('payments', { MANAGED_FUNCTIONS: 'orders, thumbnail' })).toBe(false);
    expect(isManaged('payments', { MANAGED_FUNCTIONS: '*' })).toBe(true);
  });
});

describe('fail closed (issue 10)', () => {
  const BASE = { maxMemoryMb: 3008, maxStepMb: 1024 };

  test('fails with ConfigurationError when REMEDIATION_POLICY is missing, instead of defaulting to 10,240 MB', () => {
    expect(() => effectivePolicy('orders', {})).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: expect.stringContaining('missing required environment variable REMEDIATION_POLICY') }));
  });

  test.each([
    [{ maxStepMb: 1024 }, 'maxMemoryMb is required'],
    [{ maxMemoryMb: 3008 }, 'maxStepMb is required'],
    [{ ...BASE, maxStepMb: 0 }, 'maxStepMb must be a whole number between 1 and 10112, got 0'],
    [{ ...BASE, cooldownSeconds: 0 }, 'cooldownSeconds must be a whole number of at least 60, got 0'],
    [{ ...BASE, cooldownSeconds: -5 }, 'cooldownSeconds must be a whole number of at least 60, got -5'],
    [{ ...BASE, maxRepairsPerDay: 0 }, 'maxRepairsPerDay must be a whole number between 1 and 24, got 0'],
    [{ ...BASE, functionOverrides: { orders: { maxRepairsPerDay: -1 } } }, 'functionOverrides.orders.maxRepairsPerDay must be a whole number between 1 and 24, got -1'],
    [{ ...BASE, functionOverrides: { orders: { cooldownSeconds: 0 } } }, 'functionOverrides.orders.cooldownSeconds must be a whole number of at least 60, got 0'],
    [{ ...BASE, functionOverrides: { orders: { maxStepMb: 0.5 } } }, 'maxStepMb must be a whole number between 1 and 10112, got 0.5'],
  ])('fails with ConfigurationError for %j', (policy, message) => {
    expect(() => effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify(policy) }))
      .toThrow(expect.objectContaining({ name: 'ConfigurationError', message: expect.stringContaining(message) }));
  });

  test('a step below 128 MB works at run time (the smallest step follows it down)', () => {
    const p = effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify({ ...BASE, maxStepMb: 64 }) });
    expect(p.core).toMatchObject({ maxStepMb: 64, minStepMb: 64 });
  });

  test('a per-function maxStepMb override is the one the function gets', () => {
    const env = { REMEDIATION_POLICY: JSON.stringify({ ...BASE, functionOverrides: { orders: { maxStepMb: 256 } } }) };
    expect(effectivePolicy('orders', env).core.maxStepMb).toBe(256);
    expect(effectivePolicy('payments', env).core.maxStepMb).toBe(1024);
  });
});
