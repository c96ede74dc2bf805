// Repair strategies and environments as the policy settings resolve them: the JSON the handlers
// read, and what the workflow needs (a promotion step, the longest bake, the functions the repair
// roles may invoke, an approval step). PolicyConfigBuilder directly, on a bare stack: no synthesis
// of the whole AutoRemediation (test/constructs/repair-strategies.test.ts and environments.test.ts do that).
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { demoFunctions } from './helpers';
import { EnvironmentMatch, RemediationEnvironment, RepairStrategy } from '../../src';
import { InvalidRemediationPolicyError } from '../../src/workflow/construct-errors';
import { PolicyConfigBuilder } from '../../src/workflow/settings';

const CHANGER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:memory-changer';

/** A builder with the stack's strategy (made with `changer`, an imported function, at hand). */
function world(strategy?: (changer: lambda.IFunction) => RepairStrategy) {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  const changer = lambda.Function.fromFunctionArn(stack, 'Changer', CHANGER_ARN);
  const b = new PolicyConfigBuilder(undefined, undefined, strategy?.(changer));
  const json = () => JSON.parse(stack.resolve(b.toJson(stack)));
  return { b, changer, json };
}

describe('GIVEN the stack\'s repair strategy only', () => {
  test('GIVEN the default THEN no canary promotion, no bake, no function to invoke, and no strategy in the JSON', () => {
    const { b, json } = world();
    expect([b.usesProgressive, b.longestBakeSeconds, b.customRepairFunctions]).toEqual([false, 0, []]);
    expect(json()).not.toHaveProperty('repairStrategy');
    expect(json()).not.toHaveProperty('environments');
  });

  test('GIVEN progressive (20 %, 10 minutes) THEN the workflow promotes canaries, waits out the 600-second bake, and the handlers read a 0.2 weight', () => {
    const { b, json } = world(() => RepairStrategy.progressive({ canaryPercent: 20, bakeTime: Duration.minutes(10) }));
    expect([b.usesProgressive, b.longestBakeSeconds, b.customRepairFunctions]).toEqual([true, 600, []]);
    expect(json().repairStrategy).toEqual({ kind: 'PROGRESSIVE', canaryWeight: 0.2, bakeTimeSeconds: 600 });
  });

  test('GIVEN custom (90 seconds) THEN the repair roles may invoke that function, and the handlers read its ARN and the wait in ms', () => {
    const { b, changer, json } = world((fn) => RepairStrategy.custom(fn, { timeout: Duration.seconds(90) }));
    expect(b.usesProgressive).toBe(false);
    expect(b.longestBakeSeconds).toBe(0);
    expect(b.customRepairFunctions).toEqual([changer]);
    expect(json().repairStrategy).toEqual({ kind: 'CUSTOM', functionArn: CHANGER_ARN, timeoutMs: 90000 });
  });
});

describe('GIVEN environments with their own strategies', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  const changer = lambda.Function.fromFunctionArn(stack, 'Changer', CHANGER_ARN);
  const b = new PolicyConfigBuilder(undefined, undefined, RepairStrategy.progressive({ bakeTime: Duration.minutes(10) }), [
    { name: 'production', match: EnvironmentMatch.namePattern('prod-*'), repairStrategy: RepairStrategy.progressive({ canaryPercent: 5, bakeTime: Duration.minutes(20) }) },
    { name: 'payments', match: EnvironmentMatch.namePattern('pay-*'), repairStrategy: RepairStrategy.custom(changer) },
    { name: 'billing', match: EnvironmentMatch.namePattern('bill-*'), repairStrategy: RepairStrategy.custom(changer, { timeout: Duration.seconds(30) }) },
    { name: 'development', match: EnvironmentMatch.namePattern('dev-*'), repairStrategy: RepairStrategy.raiseMemory() },
    { name: 'staging', match: EnvironmentMatch.namePattern('stg-*'), requireApproval: false },
  ]);
  // Resolved in the test, so a strategy that cannot be written fails that test, not the whole file.
  const json = () => JSON.parse(stack.resolve(b.toJson(stack)));

  test('THEN each environment\'s strategy reaches the handlers, and only an environment with guardrails has an override', () => {
    expect(json().environments).toEqual([
      { name: 'production', namePattern: 'prod-*', repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.05, bakeTimeSeconds: 1200 } },
      { name: 'payments', namePattern: 'pay-*', repairStrategy: { kind: 'CUSTOM', functionArn: CHANGER_ARN, timeoutMs: 60000 } },
      { name: 'billing', namePattern: 'bill-*', repairStrategy: { kind: 'CUSTOM', functionArn: CHANGER_ARN, timeoutMs: 30000 } },
      { name: 'development', namePattern: 'dev-*', repairStrategy: { kind: 'RAISE_MEMORY' } },
      { name: 'staging', namePattern: 'stg-*', override: { requireApproval: false } },
    ]);
    expect(json().repairStrategy).toEqual({ kind: 'PROGRESSIVE', canaryWeight: 0.1, bakeTimeSeconds: 600 });
  });

  test('THEN the workflow waits out the longest bake of all (20 minutes, not the stack\'s 10)', () => {
    expect(b.longestBakeSeconds).toBe(1200);
  });

  test('THEN the repair roles may invoke the custom function, once however many environments use it', () => {
    expect(b.customRepairFunctions).toEqual([changer]);
  });

  test('THEN no approval step is needed: no environment asks for one', () => {
    expect(b.needsApprovalStep).toBe(false);
  });
});

describe('the workflow steps environments bring in', () => {
  const builder = (environments: RemediationEnvironment[]) => new PolicyConfigBuilder(undefined, undefined, undefined, environments);

  test('GIVEN only an environment that is progressive THEN the workflow promotes canaries', () => {
    expect(builder([{ name: 'production', match: EnvironmentMatch.namePattern('prod-*'), repairStrategy: RepairStrategy.progressive() }]).usesProgressive).toBe(true);
    expect(builder([{ name: 'development', match: EnvironmentMatch.namePattern('dev-*'), repairStrategy: RepairStrategy.raiseMemory() }]).usesProgressive).toBe(false);
  });

  test('GIVEN only an environment that asks for approval THEN the workflow has the approval step; an environment without it does not bring it', () => {
    expect(builder([{ name: 'production', match: EnvironmentMatch.namePattern('prod-*'), requireApproval: true }]).needsApprovalStep).toBe(true);
    expect(builder([{ name: 'production', match: EnvironmentMatch.namePattern('prod-*') }]).needsApprovalStep).toBe(false);
  });
});

describe('environment guardrails are checked as the environments are given', () => {
  const withPolicy = (policy: RemediationEnvironment['policy']) => () =>
    new PolicyConfigBuilder(undefined, undefined, undefined, [{ name: 'production', match: EnvironmentMatch.namePattern('prod-*'), policy }]);

  test.each<[string, RemediationEnvironment['policy'], string]>([
    ['a step of 0', { maxStepMb: 0 }, 'environments[0].policy.maxStepMb must be a whole number between 1 and 10112, got 0'],
    ['a confidence above 1', { minConfidence: 1.5 }, 'environments[0].policy.minConfidence must be between 0 and 1, got 1.5'],
    ['25 repairs a day', { maxRepairsPerDay: 25 }, 'environments[0].policy.maxRepairsPerDay must be a whole number between 1 and 24, got 25'],
    ['a cooldown of 30 seconds', { cooldown: Duration.seconds(30) }, 'environments[0].policy.cooldown must be at least 1 minute, got 30 seconds'],
  ])('fails for %s, naming the environment\'s prop and the value', (_label, policy, message) => {
    expect(withPolicy(policy)).toThrow(new InvalidRemediationPolicyError(message));
  });

  test('GIVEN guardrails at their limits THEN they reach the environment\'s override', () => {
    const stack = new Stack(new App(), 'S');
    const atLimits = {
      maxStepMb: 1, minConfidence: 0, maxRepairsPerDay: 24, cooldown: Duration.minutes(1), rollbackOnFailedVerification: false,
    };
    const b = withPolicy(atLimits)();
    expect(JSON.parse(stack.resolve(b.toJson(stack))).environments[0].override)
      .toEqual({ maxStepMb: 1, minConfidence: 0, maxRepairsPerDay: 24, cooldownSeconds: 60, rollbackOnFailedVerification: false });
  });

  test('fails for an environment without a match (from JavaScript), saying how to give one', () => {
    const noMatch = { name: 'production' } as unknown as RemediationEnvironment;
    expect(() => new PolicyConfigBuilder(undefined, undefined, undefined, [noMatch])).toThrow(new InvalidRemediationPolicyError(
      "environments[0] (production) needs a match: EnvironmentMatch.tag(key, value) or EnvironmentMatch.namePattern('prod-*')"));
  });
});

describe('EnvironmentMatch.tag and the functions whose tags the app knows', () => {
  function warnings(stack: Stack) {
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('EnvironmentMatch.tag never matches it'));
  }

  test('GIVEN imported functions (one added once, one twice) and a tag match THEN one warning each names the function and its acknowledgement id', () => {
    const stack = new Stack(new App(), 'S');
    const orders = lambda.Function.fromFunctionArn(stack, 'Orders', 'arn:aws:lambda:us-east-1:123456789012:function:prod-orders');
    const payments = lambda.Function.fromFunctionArn(stack, 'Payments', 'arn:aws:lambda:us-east-1:123456789012:function:prod-payments');
    const b = new PolicyConfigBuilder(undefined, undefined, undefined, [{ name: 'production', match: EnvironmentMatch.tag('env', 'prod') }]);
    b.addFunction(orders);
    b.addFunction(payments);
    b.addFunction(payments, { maxStepMb: 256 });
    const found = warnings(stack);
    expect(found.map((w) => w.id)).toEqual(['/S/Orders', '/S/Payments']);
    expect(found[0].entry.data).toEqual(expect.stringContaining('the tags of S/Orders are not known to this app (an imported function)'));
    expect(found[0].entry.data).toEqual(expect.stringContaining('[ack: lambda-auto-remediation:environment-tag-unknown]'));
  });

  test('GIVEN functions defined in the app and a tag match THEN no warning, and the tagged one is listed under the environment', () => {
    const stack = new Stack(new App(), 'S');
    const [prod, dev] = demoFunctions(stack, 2);
    Tags.of(prod).add('env', 'prod');
    const b = new PolicyConfigBuilder(undefined, undefined, undefined, [{ name: 'production', match: EnvironmentMatch.tag('env', 'prod') }]);
    b.addFunction(prod);
    b.addFunction(dev);
    // Reading the warnings synthesizes the app: the tag aspect has run when the JSON resolves below.
    expect(warnings(stack)).toEqual([]);
    // The names are the functions' Refs until deployment: read each Ref as its logical id.
    const joined = stack.resolve(b.toJson(stack))['Fn::Join'][1] as (string | { Ref: string })[];
    const policy = JSON.parse(joined.map((part) => (typeof part === 'string' ? part : part.Ref)).join(''));
    expect(policy.environments).toEqual([{ name: 'production', functions: [stack.getLogicalId(prod.node.defaultChild as lambda.CfnFunction)] }]);
  });

  test('GIVEN an imported function and only name patterns (or no environments) THEN no warning: nothing matches by tag', () => {
    const stack = new Stack(new App(), 'S');
    const imported = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:prod-orders');
    new PolicyConfigBuilder(undefined, undefined, undefined, [{ name: 'production', match: EnvironmentMatch.namePattern('prod-*') }]).addFunction(imported);
    new PolicyConfigBuilder(undefined, undefined).addFunction(imported);
    expect(warnings(stack)).toEqual([]);
  });
});
