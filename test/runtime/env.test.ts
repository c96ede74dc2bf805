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

  test('fails when the policy makes no sense, naming the value', () => {
    expect(() => effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify({ minConfidence: 3 }) })).toThrow(/minConfidence must be between 0 and 1, got 3/);
    expect(() => effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify({ approvalMode: 'SOME' }) })).toThrow(/approvalMode must be NONE, ALL or SELECTED, got 'SOME'/);
  });

  test('DRY_RUN=true makes every function a dry run', () => {
    expect(effectivePolicy('orders', { DRY_RUN: 'true' }).dryRun).toBe(true);
    expect(() => effectivePolicy('orders', { DRY_RUN: 'maybe' })).toThrow("environment variable DRY_RUN must be true or false, got 'maybe'");
  });

  test('MANAGED_FUNCTIONS: a list or *', () => {
    expect(isManaged('orders', { MANAGED_FUNCTIONS: 'orders, thumbnail' })).toBe(true);
    expect(isManaged('payments', { MANAGED_FUNCTIONS: 'orders, thumbnail' })).toBe(false);
    expect(isManaged('payments', { MANAGED_FUNCTIONS: '*' })).toBe(true);
  });
});
