import { effectivePolicy, envBoolean, envNumber, isManaged, matchesNamePattern, readPolicyConfig, requireEnv } from '../../src/runtime/env';

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

describe('effectivePolicy: every guardrail a handler acts under', () => {
  const BASE = { maxMemoryMb: 3008, maxStepMb: 1024 };
  const policyOf = (fn: string, policy: Record<string, unknown>, extra: Record<string, string> = {}) =>
    effectivePolicy(fn, { REMEDIATION_POLICY: JSON.stringify({ ...BASE, ...policy }), ...extra });
  const failure = (policy: Record<string, unknown>, message: string) => () =>
    expect(() => policyOf('orders', policy)).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: `environment variable REMEDIATION_POLICY: ${message}` }));

  test('GIVEN only the size limits WHEN read THEN the workflow defaults apply', () => {
    expect(policyOf('orders', {})).toEqual({
      core: {
        maxMemoryMb: 3008, maxStepMb: 1024, minStepMb: 128, oomStepFactor: 1.5, headroomFraction: 0.25, minConfidence: 0.7, raiseMemoryForCpu: false,
      },
      cooldownSeconds: 1800,
      maxRepairsPerDay: 3,
      rollbackOnFailedVerification: true,
      requireApproval: false,
      excluded: false,
      dryRun: false,
      verificationWindowSeconds: 600,
      verificationMinInvocations: 5,
      followUpSeconds: 1800,
      followUpMaxRounds: 12,
      aliases: [],
      strategy: { kind: 'RAISE_MEMORY' },
    });
  });

  test('GIVEN every policy field WHEN read THEN each is the one the handler gets', () => {
    const p = policyOf('orders', {
      minStepMb: 64,
      oomStepFactor: 2,
      headroomFraction: 0.5,
      minConfidence: 0.9,
      cooldownSeconds: 60,
      maxRepairsPerDay: 24,
      rollbackOnFailedVerification: false,
      verificationWindowSeconds: 60,
      verificationMinInvocations: 1,
      followUpSeconds: 300,
      followUpMaxRounds: 0,
    });
    expect(p).toMatchObject({
      core: { maxMemoryMb: 3008, maxStepMb: 1024, minStepMb: 64, oomStepFactor: 2, headroomFraction: 0.5, minConfidence: 0.9 },
      cooldownSeconds: 60,
      maxRepairsPerDay: 24,
      rollbackOnFailedVerification: false,
      verificationWindowSeconds: 60,
      verificationMinInvocations: 1,
      followUpSeconds: 300,
      followUpMaxRounds: 0,
    });
  });

  test('GIVEN per-function overrides WHEN read THEN they win for that function only', () => {
    const policy = {
      minConfidence: 0.8,
      cooldownSeconds: 900,
      maxRepairsPerDay: 2,
      functionOverrides: { orders: { maxMemoryMb: 2048, maxStepMb: 256, minConfidence: 0.95, cooldownSeconds: 60, maxRepairsPerDay: 24, aliases: ['live'] } },
    };
    expect(policyOf('orders', policy)).toMatchObject({
      core: { maxMemoryMb: 2048, maxStepMb: 256, minConfidence: 0.95 }, cooldownSeconds: 60, maxRepairsPerDay: 24, aliases: ['live'],
    });
    expect(policyOf('payments', policy)).toMatchObject({
      core: { maxMemoryMb: 3008, maxStepMb: 1024, minConfidence: 0.8 }, cooldownSeconds: 900, maxRepairsPerDay: 2, aliases: [],
    });
  });

  test.each([
    ['NONE', undefined, false, false],
    ['ALL', undefined, true, true],
    ['SELECTED', undefined, true, false],
    ['ALL', false, false, false],
    ['NONE', true, true, true],
    ['SELECTED', false, false, false],
  ] as const)('approval mode %s with the override %p: orders (selected) %p, payments %p', (approvalMode, requireApproval, orders, payments) => {
    const policy = {
      approvalMode,
      approvalFunctions: ['orders'],
      functionOverrides: requireApproval === undefined ? {} : { orders: { requireApproval }, payments: { requireApproval } },
    };
    expect(policyOf('orders', policy).requireApproval).toBe(orders);
    expect(policyOf('payments', policy).requireApproval).toBe(payments);
  });

  test('GIVEN SELECTED without a list WHEN read THEN nobody needs approval', () => {
    expect(policyOf('orders', { approvalMode: 'SELECTED' }).requireApproval).toBe(false);
  });

  test('GIVEN excluded functions WHEN read THEN exactly those are excluded', () => {
    expect(policyOf('legacy', { excludedFunctions: ['legacy'] }).excluded).toBe(true);
    expect(policyOf('orders', { excludedFunctions: ['legacy'] }).excluded).toBe(false);
  });

  test('dry run: DRY_RUN or the function\'s own dryRun true; a per-function false never lifts DRY_RUN', () => {
    expect(policyOf('orders', { functionOverrides: { orders: { dryRun: true } } }).dryRun).toBe(true);
    expect(policyOf('orders', { functionOverrides: { orders: { dryRun: false } } }, { DRY_RUN: 'true' }).dryRun).toBe(true);
    expect(policyOf('orders', { functionOverrides: { orders: { dryRun: false } } }).dryRun).toBe(false);
    expect(policyOf('orders', {}, { DRY_RUN: 'false' }).dryRun).toBe(false);
  });

  test.each([
    ['a cooldown below a minute', { cooldownSeconds: 59 }, 'cooldownSeconds must be a whole number of at least 60, got 59'],
    ['a fractional cooldown', { cooldownSeconds: 60.5 }, 'cooldownSeconds must be a whole number of at least 60, got 60.5'],
    ['a per-function cooldown below a minute', { functionOverrides: { orders: { cooldownSeconds: 59 } } }, 'functionOverrides.orders.cooldownSeconds must be a whole number of at least 60, got 59'],
    ['25 repairs a day', { maxRepairsPerDay: 25 }, 'maxRepairsPerDay must be a whole number between 1 and 24, got 25'],
    ['a fractional budget', { maxRepairsPerDay: 1.5 }, 'maxRepairsPerDay must be a whole number between 1 and 24, got 1.5'],
    ['a per-function budget of 25', { functionOverrides: { orders: { maxRepairsPerDay: 25 } } }, 'functionOverrides.orders.maxRepairsPerDay must be a whole number between 1 and 24, got 25'],
    ['a verification window below a minute', { verificationWindowSeconds: 59 }, 'verificationWindowSeconds must be a whole number of at least 60, got 59'],
    ['a fractional verification window', { verificationWindowSeconds: 60.5 }, 'verificationWindowSeconds must be a whole number of at least 60, got 60.5'],
    ['no verification invocations', { verificationMinInvocations: 0 }, 'verificationMinInvocations must be a whole number of at least 1, got 0'],
    ['fractional verification invocations', { verificationMinInvocations: 1.5 }, 'verificationMinInvocations must be a whole number of at least 1, got 1.5'],
    ['aliases that are not a list', { functionOverrides: { orders: { aliases: 'live' } } }, 'functionOverrides.orders.aliases must be a list of alias names, got "live"'],
    ['an empty alias name', { functionOverrides: { orders: { aliases: ['live', ''] } } }, 'functionOverrides.orders.aliases must be a list of alias names, got ["live",""]'],
    ['an alias that is not a name', { functionOverrides: { orders: { aliases: [7] } } }, 'functionOverrides.orders.aliases must be a list of alias names, got [7]'],
    ['a null size limit', { maxStepMb: null }, 'maxStepMb is required, got none'],
    ['a per-function maximum below Lambda\'s minimum', { functionOverrides: { orders: { maxMemoryMb: 64 } } }, 'invalid remediation policy: maxMemoryMb must be at least 128, got 64'],
    ['a per-function minimum confidence above 1', { functionOverrides: { orders: { minConfidence: 1.5 } } }, 'invalid remediation policy: minConfidence must be between 0 and 1, got 1.5'],
    ['follow-ups more often than every 5 minutes', { followUpSeconds: 299 }, 'followUpSeconds must be a whole number between 300 and 86400, got 299'],
    ['follow-ups further apart than a day', { followUpSeconds: 86401 }, 'followUpSeconds must be a whole number between 300 and 86400, got 86401'],
    ['a fractional follow-up interval', { followUpSeconds: 300.5 }, 'followUpSeconds must be a whole number between 300 and 86400, got 300.5'],
    ['a negative number of follow-ups', { followUpMaxRounds: -1 }, 'followUpMaxRounds must be a whole number between 0 and 48, got -1'],
    ['49 follow-ups', { followUpMaxRounds: 49 }, 'followUpMaxRounds must be a whole number between 0 and 48, got 49'],
    ['a fractional number of follow-ups', { followUpMaxRounds: 1.5 }, 'followUpMaxRounds must be a whole number between 0 and 48, got 1.5'],
  ])('fails with ConfigurationError for %s, naming the field and the value', (_label, policy, message) => failure(policy, message)());

  test('GIVEN follow-ups at the limits (every 5 minutes or once a day, 0 or 48 rounds) THEN they are what the handler gets', () => {
    expect(policyOf('orders', { followUpSeconds: 300, followUpMaxRounds: 48 })).toMatchObject({ followUpSeconds: 300, followUpMaxRounds: 48 });
    expect(policyOf('orders', { followUpSeconds: 86400, followUpMaxRounds: 0 })).toMatchObject({ followUpSeconds: 86400, followUpMaxRounds: 0 });
  });

  test('the policy of another function is not checked when reading this one', () => {
    expect(policyOf('payments', { functionOverrides: { orders: { cooldownSeconds: 1 } } }).cooldownSeconds).toBe(1800);
  });

  test.each(['[1]', 'null', '"policy"', '3'])('fails when REMEDIATION_POLICY is %s, not a json object', (raw) => {
    expect(() => readPolicyConfig({ REMEDIATION_POLICY: raw })).toThrow(`environment variable REMEDIATION_POLICY must be a json object, got ${raw}`);
  });

  test('a long REMEDIATION_POLICY that is not an object is quoted by its first 80 characters only', () => {
    const raw = JSON.stringify(Array.from({ length: 40 }, (_, i) => `function-${i}`));
    let message = '';
    try {
      readPolicyConfig({ REMEDIATION_POLICY: raw });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(`environment variable REMEDIATION_POLICY must be a json object, got ${raw.slice(0, 80)}`);
    expect(message).not.toContain('function-39');
  });

  test('a blank REMEDIATION_POLICY is a missing one', () => {
    expect(() => readPolicyConfig({ REMEDIATION_POLICY: '  ' })).toThrow('missing required environment variable REMEDIATION_POLICY: the handlers never act under default guardrails');
  });
});

describe('envBoolean', () => {
  test.each([['true', true], ['TRUE', true], ['1', true], ['yes', true], [' Yes ', true], ['false', false], ['0', false], ['no', false], ['NO', false]])('%p is %p', (raw, expected) => {
    expect(envBoolean('DRY_RUN', !expected, { DRY_RUN: raw })).toBe(expected);
  });

  test('unset or blank takes the fallback', () => {
    expect(envBoolean('DRY_RUN', true, {})).toBe(true);
    expect(envBoolean('DRY_RUN', false, { DRY_RUN: ' ' })).toBe(false);
  });
});

describe('per-environment guardrails and strategy (RemediationEnvironment)', () => {
  const env = {
    REMEDIATION_POLICY: JSON.stringify({
      maxMemoryMb: 3008,
      maxStepMb: 1024,
      cooldownSeconds: 1800,
      approvalMode: 'NONE',
      environments: [
        {
          name: 'production',
          functions: ['orders-live'],
          override: { requireApproval: true, maxMemoryMb: 4096, rollbackOnFailedVerification: false },
          repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.1, bakeTimeSeconds: 900 },
        },
        { name: 'staging', namePattern: 'stg-*', override: { maxStepMb: 256 } },
        { name: 'all-orders', namePattern: 'orders-*', override: { dryRun: true } },
      ],
      functionOverrides: { 'orders-live': { maxMemoryMb: 2048 } },
    }),
  };

  test('GIVEN a function listed by its tag THEN production applies: approval, progressive, its own limits; its per-function override still wins', () => {
    const p = effectivePolicy('orders-live', env);
    expect(p).toMatchObject({
      environment: 'production',
      requireApproval: true,
      rollbackOnFailedVerification: false,
      dryRun: false,
      strategy: { kind: 'PROGRESSIVE', canaryWeight: 0.1, bakeTimeSeconds: 900 },
    });
    expect(p.core.maxMemoryMb).toBe(2048);
  });

  test('GIVEN a name that matches a pattern THEN that environment applies, the rest from the stack', () => {
    const p = effectivePolicy('stg-api', env);
    expect(p).toMatchObject({ environment: 'staging', requireApproval: false, strategy: { kind: 'RAISE_MEMORY' }, cooldownSeconds: 1800 });
    expect([p.core.maxStepMb, p.core.maxMemoryMb]).toEqual([256, 3008]);
  });

  test('GIVEN two environments that match THEN the first wins', () => {
    // orders-live matches production (by tag) and all-orders (by name): production is first.
    expect(effectivePolicy('orders-live', env).dryRun).toBe(false);
    expect(effectivePolicy('orders-batch', env)).toMatchObject({ environment: 'all-orders', dryRun: true });
  });

  test('GIVEN no environment matches THEN the stack policy and the default strategy apply', () => {
    const p = effectivePolicy('billing', env);
    expect(p.environment).toBeUndefined();
    expect(p).toMatchObject({ requireApproval: false, strategy: { kind: 'RAISE_MEMORY' } });
  });

  test('a pattern matches the whole name: * any run, ? one character, nothing else special', () => {
    expect(matchesNamePattern('prod-orders', 'prod-*')).toBe(true);
    expect(matchesNamePattern('preprod-orders', 'prod-*')).toBe(false);
    expect(matchesNamePattern('api-v1', 'api-v?')).toBe(true);
    expect(matchesNamePattern('api-v10', 'api-v?')).toBe(false);
    expect(matchesNamePattern('anything', '.*')).toBe(false);
  });

  test('fails when an environment\'s strategy is malformed, naming the field', () => {
    const bad = { REMEDIATION_POLICY: JSON.stringify({ maxMemoryMb: 3008, maxStepMb: 1024, environments: [{ name: 'p', namePattern: '*', repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 2, bakeTimeSeconds: 600 } }] }) };
    expect(() => effectivePolicy('x', bad)).toThrow(/repairStrategy.canaryWeight must be a number between 0 and 1 \(exclusive\), got 2/);
  });
});

describe('effectivePolicy: the repair strategy a handler acts under, checked', () => {
  const CHANGER = 'arn:aws:lambda:us-east-1:123456789012:function:memory-changer';
  const strategyOf = (repairStrategy: unknown) =>
    effectivePolicy('orders', { REMEDIATION_POLICY: JSON.stringify({ maxMemoryMb: 3008, maxStepMb: 1024, repairStrategy }) }).strategy;
  const failure = (repairStrategy: unknown) => () => strategyOf(repairStrategy);

  test('GIVEN RAISE_MEMORY written out THEN it is the strategy', () => {
    expect(strategyOf({ kind: 'RAISE_MEMORY' })).toEqual({ kind: 'RAISE_MEMORY' });
  });

  test('GIVEN CUSTOM with a function ARN and the shortest wait (1 second) THEN the handler invokes that function with that wait', () => {
    expect(strategyOf({ kind: 'CUSTOM', functionArn: CHANGER, timeoutMs: 1000 })).toEqual({ kind: 'CUSTOM', functionArn: CHANGER, timeoutMs: 1000 });
    expect(strategyOf({ kind: 'CUSTOM', functionArn: CHANGER, timeoutMs: 240000 })).toEqual({ kind: 'CUSTOM', functionArn: CHANGER, timeoutMs: 240000 });
  });

  test.each([
    ['a function name instead of an ARN', { functionArn: 'memory-changer', timeoutMs: 60000 }, 'repairStrategy.functionArn must be a Lambda function ARN, got "memory-changer"'],
    ['no function ARN', { timeoutMs: 60000 }, 'repairStrategy.functionArn must be a Lambda function ARN, got undefined'],
    ['a wait below a second', { functionArn: CHANGER, timeoutMs: 999 }, 'repairStrategy.timeoutMs must be at least 1000, got 999'],
    ['no wait', { functionArn: CHANGER }, 'repairStrategy.timeoutMs must be at least 1000, got undefined'],
    ['a wait given as text', { functionArn: CHANGER, timeoutMs: '60000' }, 'repairStrategy.timeoutMs must be at least 1000, got 60000'],
  ])('fails with ConfigurationError for CUSTOM with %s, naming the field and the value', (_label, fields, message) => {
    expect(failure({ kind: 'CUSTOM', ...fields })).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: `environment variable REMEDIATION_POLICY: ${message}` }));
  });

  test('GIVEN PROGRESSIVE at the limits (weight just above 0 or just below 1, a 60-second bake) THEN it is the strategy', () => {
    expect(strategyOf({ kind: 'PROGRESSIVE', canaryWeight: 0.01, bakeTimeSeconds: 60 })).toEqual({ kind: 'PROGRESSIVE', canaryWeight: 0.01, bakeTimeSeconds: 60 });
    expect(strategyOf({ kind: 'PROGRESSIVE', canaryWeight: 0.99, bakeTimeSeconds: 86400 })).toEqual({ kind: 'PROGRESSIVE', canaryWeight: 0.99, bakeTimeSeconds: 86400 });
  });

  test.each([
    ['a weight of 0 (no canary traffic)', { canaryWeight: 0, bakeTimeSeconds: 600 }, 'repairStrategy.canaryWeight must be a number between 0 and 1 (exclusive), got 0'],
    ['a weight of 1 (all traffic at once)', { canaryWeight: 1, bakeTimeSeconds: 600 }, 'repairStrategy.canaryWeight must be a number between 0 and 1 (exclusive), got 1'],
    ['a negative weight', { canaryWeight: -0.1, bakeTimeSeconds: 600 }, 'repairStrategy.canaryWeight must be a number between 0 and 1 (exclusive), got -0.1'],
    ['no weight', { bakeTimeSeconds: 600 }, 'repairStrategy.canaryWeight must be a number between 0 and 1 (exclusive), got undefined'],
    ['a bake below a minute', { canaryWeight: 0.1, bakeTimeSeconds: 59 }, 'repairStrategy.bakeTimeSeconds must be a whole number of at least 60, got 59'],
    ['a fractional bake', { canaryWeight: 0.1, bakeTimeSeconds: 60.5 }, 'repairStrategy.bakeTimeSeconds must be a whole number of at least 60, got 60.5'],
    ['no bake', { canaryWeight: 0.1 }, 'repairStrategy.bakeTimeSeconds must be a whole number of at least 60, got undefined'],
    ['a bake given as text', { canaryWeight: 0.1, bakeTimeSeconds: '600' }, 'repairStrategy.bakeTimeSeconds must be a whole number of at least 60, got 600'],
  ])('fails with ConfigurationError for PROGRESSIVE with %s, naming the field and the value', (_label, fields, message) => {
    expect(failure({ kind: 'PROGRESSIVE', ...fields })).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: `environment variable REMEDIATION_POLICY: ${message}` }));
  });

  test('fails with ConfigurationError for a kind no handler knows, even with the fields of a canary, naming the kind', () => {
    expect(failure({ kind: 'BLUE_GREEN', canaryWeight: 0.1, bakeTimeSeconds: 600 })).toThrow(expect.objectContaining({
      name: 'ConfigurationError',
      message: "environment variable REMEDIATION_POLICY: repairStrategy.kind must be RAISE_MEMORY, PROGRESSIVE or CUSTOM, got 'BLUE_GREEN'",
    }));
  });

  test('a pattern with a character the construct refuses matches nothing, even when its allowed start would', () => {
    // 'prod.*' would match 'prod-orders' as a RegExp; the construct allows no '.', so it is no pattern.
    expect(matchesNamePattern('prod-orders', 'prod.*')).toBe(false);
    expect(matchesNamePattern('prod-a', 'prod-(a|b)')).toBe(false);
    expect(matchesNamePattern('prod-orders', 'prod-*')).toBe(true);
  });
});
