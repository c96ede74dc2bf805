import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Approval, FunctionOptions } from '../../src/policy';
import { InvalidRemediationPolicyError } from '../../src/workflow/construct-errors';
import { PolicyConfigBuilder, resolveRemediationPolicy } from '../../src/workflow/settings';

function builder(): { stack: Stack; builder: PolicyConfigBuilder; fn: lambda.IFunction } {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  return { stack, builder: new PolicyConfigBuilder(undefined, undefined), fn: lambda.Function.fromFunctionName(stack, 'Orders', 'orders') };
}

describe('policy validation at synthesis (issue 10)', () => {
  test('follow-ups: every 30 minutes, 12 rounds by default; 0 rounds turn them off (issue 11 item 3)', () => {
    expect(resolveRemediationPolicy({})).toMatchObject({ followUpSeconds: 1800, followUpMaxRounds: 12 });
    expect(resolveRemediationPolicy({ followUpInterval: Duration.minutes(10), maxFollowUps: 0 }))
      .toMatchObject({ followUpSeconds: 600, followUpMaxRounds: 0 });
  });

  test('follow-ups at the limits are valid: every 5 minutes or once a day, up to 48 rounds', () => {
    expect(resolveRemediationPolicy({ followUpInterval: Duration.minutes(5), maxFollowUps: 48 }))
      .toMatchObject({ followUpSeconds: 300, followUpMaxRounds: 48 });
    expect(resolveRemediationPolicy({ followUpInterval: Duration.hours(24) })).toMatchObject({ followUpSeconds: 86400 });
  });

  test('a step below 128 MB is valid: Lambda takes 1 MB steps', () => {
    expect(resolveRemediationPolicy({ maxStepMb: 64 }).maxStepMb).toBe(64);
    expect(resolveRemediationPolicy({ maxStepMb: 1 }).maxStepMb).toBe(1);
  });

  test.each([
    [{ maxStepMb: 0 }, 'maxStepMb must be a whole number between 1 and 10112, got 0'],
    [{ maxStepMb: 0.5 }, 'maxStepMb must be a whole number between 1 and 10112, got 0.5'],
    [{ maxStepMb: 20000 }, 'maxStepMb must be a whole number between 1 and 10112, got 20000'],
    [{ cooldown: Duration.seconds(0) }, 'cooldown must be at least 1 minute, got 0 seconds'],
    [{ cooldown: Duration.seconds(30) }, 'cooldown must be at least 1 minute, got 30 seconds'],
    [{ maxRepairsPerDay: 0 }, 'maxRepairsPerDay must be a whole number between 1 and 24, got 0'],
    [{ maxRepairsPerDay: 2.5 }, 'maxRepairsPerDay must be a whole number between 1 and 24, got 2.5'],
    [{ minConfidence: -0.1 }, 'minConfidence must be between 0 and 1, got -0.1'],
    [{ followUpInterval: Duration.minutes(1) }, 'followUpInterval must be a whole number of seconds between 5 minutes and 24 hours, got 60 seconds'],
    [{ followUpInterval: Duration.hours(25) }, 'followUpInterval must be a whole number of seconds between 5 minutes and 24 hours, got 90000 seconds'],
    [{ maxFollowUps: -1 }, 'maxFollowUps must be a whole number between 0 and 48, got -1'],
    [{ maxFollowUps: 1.5 }, 'maxFollowUps must be a whole number between 0 and 48, got 1.5'],
    [{ maxFollowUps: 49 }, 'maxFollowUps must be a whole number between 0 and 48, got 49'],
    [{ followUpInterval: Duration.seconds(299) }, 'followUpInterval must be a whole number of seconds between 5 minutes and 24 hours, got 299 seconds'],
    [{ followUpInterval: Duration.seconds(86401) }, 'followUpInterval must be a whole number of seconds between 5 minutes and 24 hours, got 86401 seconds'],
  ])('fails for %j, naming the prop and the value', (policy, message) => {
    expect(() => resolveRemediationPolicy(policy)).toThrow(new InvalidRemediationPolicyError(message));
  });

  test.each<[FunctionOptions, string]>([
    [{ maxStepMb: 0 }, 'maxStepMb of function orders must be a whole number between 1 and 10112, got 0'],
    [{ maxStepMb: 12.5 }, 'maxStepMb of function orders must be a whole number between 1 and 10112, got 12.5'],
    [{ maxMemoryMb: 64 }, 'maxMemoryMb of function orders must be a whole number between 128 and 10240, got 64'],
    [{ maxMemoryMb: 20000 }, 'maxMemoryMb of function orders must be a whole number between 128 and 10240, got 20000'],
    [{ minConfidence: 2 }, 'minConfidence of function orders must be between 0 and 1, got 2'],
    [{ maxRepairsPerDay: 0 }, 'maxRepairsPerDay of function orders must be a whole number between 1 and 24, got 0'],
    [{ cooldown: Duration.seconds(0) }, 'cooldown of function orders must be at least 1 minute, got 0 seconds'],
  ])('a per-function override %j is validated like the policy', (options, message) => {
    const { builder: b, fn } = builder();
    expect(() => b.addFunction(fn, options)).toThrow(new InvalidRemediationPolicyError(message));
  });

  test('valid per-function overrides reach the policy JSON, cooldown in seconds', () => {
    const { stack, builder: b, fn } = builder();
    b.addFunction(fn, { maxStepMb: 64, cooldown: Duration.minutes(5), maxRepairsPerDay: 1 });
    const json = JSON.parse(stack.resolve(b.toJson(stack)));
    expect(json.functionOverrides).toEqual({ orders: { maxStepMb: 64, cooldownSeconds: 300, maxRepairsPerDay: 1 } });
  });
});

describe('policy resolution: defaults and limits at their boundaries', () => {
  test('GIVEN no policy WHEN resolved THEN every documented default applies', () => {
    expect(resolveRemediationPolicy()).toEqual({
      maxMemoryMb: 3008,
      maxStepMb: 1024,
      minConfidence: 0.7,
      cooldownSeconds: 1800,
      maxRepairsPerDay: 3,
      dryRun: false,
      requireApproval: false,
      rollbackOnFailedVerification: true,
      raiseMemoryForCpu: false,
      verificationWindowSeconds: 900,
      followUpSeconds: 1800,
      followUpMaxRounds: 12,
    });
  });

  test('GIVEN every prop set WHEN resolved THEN each is kept as given', () => {
    expect(resolveRemediationPolicy({
      maxMemoryMb: 4096,
      maxStepMb: 512,
      minConfidence: 0.9,
      cooldown: Duration.hours(2),
      maxRepairsPerDay: 5,
      dryRun: true,
      requireApproval: true,
      rollbackOnFailedVerification: false,
      raiseMemoryForCpu: true,
      verificationWindow: Duration.minutes(30),
      followUpInterval: Duration.minutes(45),
      maxFollowUps: 3,
    })).toEqual({
      maxMemoryMb: 4096,
      maxStepMb: 512,
      minConfidence: 0.9,
      cooldownSeconds: 7200,
      maxRepairsPerDay: 5,
      dryRun: true,
      requireApproval: true,
      rollbackOnFailedVerification: false,
      raiseMemoryForCpu: true,
      verificationWindowSeconds: 1800,
      followUpSeconds: 2700,
      followUpMaxRounds: 3,
    });
  });

  test.each([
    ['maxMemoryMb at Lambda\'s minimum', { maxMemoryMb: 128 }, { maxMemoryMb: 128 }],
    ['maxMemoryMb at Lambda\'s maximum', { maxMemoryMb: 10240 }, { maxMemoryMb: 10240 }],
    ['the largest allowed step', { maxStepMb: 10112 }, { maxStepMb: 10112 }],
    ['minConfidence 0', { minConfidence: 0 }, { minConfidence: 0 }],
    ['minConfidence 1', { minConfidence: 1 }, { minConfidence: 1 }],
    ['one repair a day', { maxRepairsPerDay: 1 }, { maxRepairsPerDay: 1 }],
    ['24 repairs a day', { maxRepairsPerDay: 24 }, { maxRepairsPerDay: 24 }],
    ['a cooldown of one minute', { cooldown: Duration.seconds(60) }, { cooldownSeconds: 60 }],
    ['a verification window of one minute', { verificationWindow: Duration.seconds(60) }, { verificationWindowSeconds: 60 }],
    ['a verification window of 24 hours', { verificationWindow: Duration.hours(24) }, { verificationWindowSeconds: 86400 }],
  ])('accepts %s', (_label, policy, expected) => {
    expect(resolveRemediationPolicy(policy)).toMatchObject(expected);
  });

  test.each([
    [{ maxMemoryMb: 127 }, 'maxMemoryMb must be a whole number between 128 and 10240, got 127'],
    [{ maxMemoryMb: 10241 }, 'maxMemoryMb must be a whole number between 128 and 10240, got 10241'],
    [{ maxMemoryMb: 1024.5 }, 'maxMemoryMb must be a whole number between 128 and 10240, got 1024.5'],
    [{ maxStepMb: 10113 }, 'maxStepMb must be a whole number between 1 and 10112, got 10113'],
    [{ minConfidence: 1.01 }, 'minConfidence must be between 0 and 1, got 1.01'],
    [{ maxRepairsPerDay: 25 }, 'maxRepairsPerDay must be a whole number between 1 and 24, got 25'],
    [{ cooldown: Duration.seconds(59) }, 'cooldown must be at least 1 minute, got 59 seconds'],
    [{ verificationWindow: Duration.seconds(59) }, 'verificationWindow must be between 1 minute and 24 hours, got 59 seconds'],
    [{ verificationWindow: Duration.seconds(86401) }, 'verificationWindow must be between 1 minute and 24 hours, got 86401 seconds'],
  ])('fails for %j, naming the prop and the value', (policy, message) => {
    expect(() => resolveRemediationPolicy(policy)).toThrow(new InvalidRemediationPolicyError(message));
  });
});

describe('the policy JSON the handlers receive', () => {
  function world(policy?: Parameters<typeof resolveRemediationPolicy>[0], approval?: (fns: lambda.IFunction[]) => Approval) {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const orders = lambda.Function.fromFunctionName(stack, 'Orders', 'orders');
    const payments = lambda.Function.fromFunctionName(stack, 'Payments', 'payments');
    const b = new PolicyConfigBuilder(policy, approval?.([payments]));
    const json = () => JSON.parse(stack.resolve(b.toJson(stack)));
    return { stack, b, orders, payments, json };
  }

  test('GIVEN the defaults WHEN no function has options THEN the JSON holds the resolved policy and nothing else', () => {
    const { b, orders, json } = world();
    b.addFunction(orders);
    b.addFunction(orders, {});
    expect(b.approvalMode).toBe('NONE');
    expect(b.needsApprovalStep).toBe(false);
    expect(json()).toEqual({
      maxMemoryMb: 3008,
      maxStepMb: 1024,
      minConfidence: 0.7,
      cooldownSeconds: 1800,
      maxRepairsPerDay: 3,
      rollbackOnFailedVerification: true,
      verificationWindowSeconds: 900,
      followUpSeconds: 1800,
      followUpMaxRounds: 12,
      approvalMode: 'NONE',
    });
  });

  test('GIVEN every per-function option WHEN added THEN each reaches the override of that function only', () => {
    const { stack, b, orders, payments, json } = world({ excludedFunctions: [] });
    const live = lambda.Alias.fromAliasAttributes(stack, 'Live', { aliasName: 'live', aliasVersion: lambda.Version.fromVersionArn(stack, 'V7', 'arn:aws:lambda:us-east-1:123456789012:function:orders:7') });
    b.addFunction(orders, {
      maxMemoryMb: 10240,
      maxStepMb: 10112,
      minConfidence: 1,
      requireApproval: true,
      dryRun: true,
      cooldown: Duration.seconds(60),
      maxRepairsPerDay: 24,
      alias: live,
    });
    b.addFunction(payments, { minConfidence: 0, dryRun: false });
    expect(json().functionOverrides).toEqual({
      orders: {
        maxMemoryMb: 10240,
        maxStepMb: 10112,
        minConfidence: 1,
        requireApproval: true,
        dryRun: true,
        cooldownSeconds: 60,
        maxRepairsPerDay: 24,
        aliases: ['live'],
      },
      payments: { minConfidence: 0, dryRun: false },
    });
    expect(json()).not.toHaveProperty('excludedFunctions');
    // one function asking for approval brings the approval step in, while the mode stays NONE
    expect(b.approvalMode).toBe('NONE');
    expect(b.needsApprovalStep).toBe(true);
  });

  test('GIVEN an override that does not ask for approval WHEN added THEN no approval step is needed', () => {
    const { b, orders } = world();
    b.addFunction(orders, { requireApproval: false });
    expect(b.needsApprovalStep).toBe(false);
  });

  test('GIVEN requireApproval in the policy and no approval setting THEN every function needs approval', () => {
    const { b, json } = world({ requireApproval: true });
    expect(b.approvalMode).toBe('ALL');
    expect(b.needsApprovalStep).toBe(true);
    expect(json().approvalMode).toBe('ALL');
  });

  test('GIVEN approval for selected functions THEN the JSON names them; GIVEN all or none THEN no list', () => {
    const selected = world(undefined, (fns) => Approval.forFunctions(fns));
    expect(selected.b.approvalMode).toBe('SELECTED');
    expect(selected.b.needsApprovalStep).toBe(true);
    expect(selected.json()).toMatchObject({ approvalMode: 'SELECTED', approvalFunctions: ['payments'] });

    const all = world(undefined, () => Approval.allFunctions());
    expect(all.json().approvalMode).toBe('ALL');
    expect(all.json()).not.toHaveProperty('approvalFunctions');

    const none = world({ requireApproval: true }, () => Approval.none());
    expect(none.b.approvalMode).toBe('NONE');
    expect(none.b.needsApprovalStep).toBe(false);
  });

  test('GIVEN excluded functions THEN the JSON names them, whatever else is set', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const legacy = lambda.Function.fromFunctionName(stack, 'Legacy', 'legacy-billing');
    const b = new PolicyConfigBuilder({ excludedFunctions: [legacy] }, undefined);
    expect(JSON.parse(stack.resolve(b.toJson(stack))).excludedFunctions).toEqual(['legacy-billing']);
  });

  test('GIVEN a function added after the JSON was asked for THEN it still appears (resolved at synthesis)', () => {
    const { b, orders, stack } = world();
    const token = b.toJson(stack);
    b.addFunction(orders, { maxStepMb: 256 });
    expect(JSON.parse(stack.resolve(token)).functionOverrides).toEqual({ orders: { maxStepMb: 256 } });
  });
});

describe('raiseMemoryForCpu in the policy JSON', () => {
  test('GIVEN raiseMemoryForCpu on THEN the handlers read it as true; GIVEN it off THEN the field is absent (the handlers default to off)', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const on = new PolicyConfigBuilder({ raiseMemoryForCpu: true }, undefined);
    const off = new PolicyConfigBuilder({ raiseMemoryForCpu: false }, undefined);
    expect(JSON.parse(stack.resolve(on.toJson(stack))).raiseMemoryForCpu).toBe(true);
    expect(JSON.parse(stack.resolve(off.toJson(stack)))).not.toHaveProperty('raiseMemoryForCpu');
  });
});

describe('one resolved policy per AutoRemediation (PolicyConfigBuilder.of / share)', () => {
  function tree() {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const owner = new Construct(stack, 'Owner');
    const inner = new Construct(owner, 'Inner');
    const leaf = new Construct(inner, 'Leaf');
    return { stack, owner, inner, leaf };
  }

  test('GIVEN an owner that shared its policy WHEN a construct under it asks THEN it gets the owner\'s builder, not its own policy', () => {
    const { owner, leaf } = tree();
    const shared = PolicyConfigBuilder.share(owner, { maxStepMb: 256 }, undefined);
    expect(shared.resolved.maxStepMb).toBe(256);
    const got = PolicyConfigBuilder.of(leaf, { maxStepMb: 512 }, undefined);
    expect(got).toBe(shared);
    expect(got.resolved.maxStepMb).toBe(256);
  });

  test('GIVEN two owners, one inside the other WHEN a construct asks THEN the nearest one\'s builder wins', () => {
    const { stack, owner, inner, leaf } = tree();
    PolicyConfigBuilder.share(owner, { maxStepMb: 256 }, undefined);
    const nearest = PolicyConfigBuilder.share(inner, { maxStepMb: 128 }, undefined);
    expect(PolicyConfigBuilder.of(leaf, undefined, undefined)).toBe(nearest);
    // the scope that asks counts as under itself
    expect(PolicyConfigBuilder.of(inner, undefined, undefined)).toBe(nearest);
    // a construct beside the owners gets a builder of its own, with its own policy
    const alone = PolicyConfigBuilder.of(new Construct(stack, 'Alone'), { maxStepMb: 64 }, Approval.allFunctions());
    expect(alone).not.toBe(nearest);
    expect(alone.resolved.maxStepMb).toBe(64);
    expect(alone.approvalMode).toBe('ALL');
  });

  test('GIVEN a construct used on its own WHEN asked twice THEN the second ask (or one under it) gets the builder made by the first', () => {
    const { stack, owner, inner } = tree();
    const first = PolicyConfigBuilder.of(owner, { maxMemoryMb: 2048 }, undefined);
    expect(first.resolved.maxMemoryMb).toBe(2048);
    expect(PolicyConfigBuilder.of(owner, { maxMemoryMb: 4096 }, undefined)).toBe(first);
    expect(PolicyConfigBuilder.of(inner, undefined, undefined)).toBe(first);
    // nothing was registered above the owner
    expect(PolicyConfigBuilder.of(stack, undefined, undefined)).not.toBe(first);
  });
});
