import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { namesOneResource, wildcardResourceFindings } from '../../src/workflow/handler-support';
import { logGroupArn, TargetAccess, TargetRegistry } from '../../src/workflow/target-access';

/** Target rights on functions given by [function ARN, log group name]; `forceTag` for the rights by tag. */
function stackWithTargets(targets: Array<[string, string]>, forceTag = false): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  const registry = TargetRegistry.create(stack, () => ({ key: 'LambdaAutoRemediation', value: 'orders' }));
  if (forceTag) registry.forceTagMode();
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const rights = new TargetAccess(stack, 'Targets', { role, functionActions: ['lambda:UpdateFunctionConfiguration'], logActions: ['logs:FilterLogEvents'] });
  targets.forEach(([functionArn, logGroupName], i) => {
    rights.add({ functionArns: [functionArn], logGroupName, imported: true, path: `S/Fn${i}` });
  });
  return { app, stack };
}

/** A role policy with one more statement whose resource is `*`, beside the target rights. */
function injectStar(stack: Stack): void {
  const role = stack.node.findChild('Role') as iam.Role;
  new iam.ManagedPolicy(stack, 'Injected', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['lambda:UpdateFunctionConfiguration'], resources: ['*'] })] });
}

function iam5(app: App, stack: Stack): string[] {
  return new AwsSolutionsChecks(app).validateScope(stack).violations.map(v => v.ruleName).filter(n => n.startsWith('AwsSolutions-IAM5'));
}

describe('cdk-nag acknowledgements on target rights are exact (issue 10 item 13)', () => {
  test('the :* of a named log group is acknowledged: no finding', () => {
    const { app, stack } = stackWithTargets([['arn:aws:lambda:us-east-1:123456789012:function:orders', '/aws/lambda/orders']]);
    expect(iam5(app, stack)).toEqual([]);
  });

  test('a * resource injected into a target policy is reported by cdk-nag', () => {
    const { app, stack } = stackWithTargets([['arn:aws:lambda:us-east-1:123456789012:function:orders', '/aws/lambda/orders']]);
    injectStar(stack);
    expect(iam5(app, stack)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  test('the rights by tag acknowledge their own function:* and /aws/lambda/* only, not an injected *', () => {
    const { app, stack } = stackWithTargets([['arn:aws:lambda:us-east-1:123456789012:function:orders', '/aws/lambda/orders']], true);
    expect(iam5(app, stack)).toEqual([]);
    injectStar(stack);
    expect(iam5(app, stack)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  test.each([
    ['*', false],
    ['arn:aws:lambda:us-east-1:123456789012:function:*', false],
    ['arn:aws:logs:us-east-1:123456789012:log-group:*', false],
    ['arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*:*', false],
    ['arn:aws:logs:us-east-1:*:log-group:/aws/lambda/orders:*', false],
    ['arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:*', true],
    ['arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/orders:*', true],
    ['arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0', true],
    ['arn:aws:bedrock:*::foundation-model/*', false],
  ])('namesOneResource(%s) is %s', (arn, expected) => {
    expect(namesOneResource(arn)).toBe(expected);
  });

  test('log group ARNs built by the construct are acknowledged exactly', () => {
    const stack = new Stack(new App(), 'S');
    expect(wildcardResourceFindings(stack, [logGroupArn(stack, '/aws/lambda/orders'), '*']))
      .toEqual(['Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/orders:*']);
  });
});
