import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { logGroupArnOf, namesOneResource, TargetPolicies, wildcardResourceFindings } from '../../src/workflow/handler-support';

function stackWithTargets(resources: string[][]): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const rights = new TargetPolicies(stack, 'Targets', role, ['lambda:UpdateFunctionConfiguration', 'logs:FilterLogEvents']);
  for (const r of resources) rights.add(r);
  return { app, stack };
}

function iam5(app: App, stack: Stack): string[] {
  return new AwsSolutionsChecks(app).validateScope(stack).violations.map(v => v.ruleName).filter(n => n.startsWith('AwsSolutions-IAM5'));
}

describe('cdk-nag acknowledgements on target rights are exact (issue 10 item 13)', () => {
  test('the :* of a named log group is acknowledged: no finding', () => {
    const { app, stack } = stackWithTargets([[
      'arn:aws:lambda:us-east-1:123456789012:function:orders',
      'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:*',
    ]]);
    expect(iam5(app, stack)).toEqual([]);
  });

  test('a * resource injected into a target policy is reported by cdk-nag', () => {
    const { app, stack } = stackWithTargets([
      ['arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:*'],
      ['*'],
    ]);
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
    expect(wildcardResourceFindings(stack, [logGroupArnOf(stack, '/aws/lambda/orders'), '*']))
      .toEqual(['Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/orders:*']);
  });
});
