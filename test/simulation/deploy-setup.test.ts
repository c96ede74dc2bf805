import { request } from 'node:http';
import { runDeployTimeSetup } from '../../src/simulation/deploy-setup';
import { CfnTemplate, TemplateResolver } from '../../src/simulation/template';
import { SETUP_DESCRIPTION } from '../../src/workflow/remediation-setup';

/** A template with the construct's setup function and custom resource, plus a user's own custom resource. */
const TEMPLATE: CfnTemplate = {
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'remediation' } },
    SetupFn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'setup', Description: `lambda-auto-remediation: ${SETUP_DESCRIPTION}` } },
    Setup: {
      Type: 'Custom::LambdaRemediationSetup',
      Properties: { ServiceToken: { 'Fn::GetAtt': ['SetupFn', 'Arn'] }, TableName: { Ref: 'Table' }, FunctionNames: ['orders'], CustomLogGroups: [] },
    },
    Theirs: { Type: 'AWS::CloudFormation::CustomResource', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:theirs' } },
  },
};

/** PUT a CloudFormation response object to the request's ResponseURL, as the setup handler does. */
function answer(event: any, body: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(event.ResponseURL, { method: 'PUT' }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const callers: string[] = [];
const direct = (_name: string, fn: { functionName: string }, invoke: () => Promise<unknown>) => {
  callers.push(fn.functionName);
  return invoke();
};

describe('deploy-time setup (the construct\'s custom resource)', () => {
  test('GIVEN the setup answers SUCCESS THEN the deploy goes on; the request is a Create with the resolved properties', async () => {
    const events: any[] = [];
    const result = await runDeployTimeSetup(new TemplateResolver(TEMPLATE, 'Shop'), direct, async (event: any) => {
      events.push(event);
      await answer(event, { Status: 'SUCCESS', PhysicalResourceId: 'x', StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
    });
    expect(result.failure).toBeUndefined();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      RequestType: 'Create',
      LogicalResourceId: 'Setup',
      ResourceType: 'Custom::LambdaRemediationSetup',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:setup', TableName: 'remediation', FunctionNames: ['orders'] },
    });
    expect(events[0].ResponseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(result.notes).toEqual(['custom resource Theirs (AWS::CloudFormation::CustomResource) is not run by the simulation']);
    // invoked as the setup function (its role makes the calls)
    expect(callers).toContain('setup');
  });

  test('fails the deploy when the setup answers FAILED, with its reason', async () => {
    const result = await runDeployTimeSetup(new TemplateResolver(TEMPLATE, 'Shop'), direct, async (event: any) => {
      await answer(event, { Status: 'FAILED', Reason: 'AccessDeniedError: logs:CreateLogGroup /aws/lambda/orders' });
    });
    expect(result.failure).toBe('custom resource Setup (Custom::LambdaRemediationSetup) failed: AccessDeniedError: logs:CreateLogGroup /aws/lambda/orders');
  });

  test('fails the deploy when the setup returns without answering CloudFormation', async () => {
    const result = await runDeployTimeSetup(new TemplateResolver(TEMPLATE, 'Shop'), direct, async () => undefined);
    expect(result.failure).toBe('custom resource Setup (Custom::LambdaRemediationSetup) failed: the function returned without answering CloudFormation (it would wait for ServiceTimeout, then fail)');
  });

  test('fails the deploy when the setup throws without answering', async () => {
    const result = await runDeployTimeSetup(new TemplateResolver(TEMPLATE, 'Shop'), direct, async () => {
      throw new Error('boom');
    });
    expect(result.failure).toBe('custom resource Setup (Custom::LambdaRemediationSetup) failed: the function failed without answering: boom');
  });
});
