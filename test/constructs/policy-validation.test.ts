import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FunctionOptions } from '../../src/policy';
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
