import { Match, Template } from 'aws-cdk-lib/assertions';
import { ACCOUNT, awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack, resolveIntrinsics } from './helpers';
import { AutoRemediation } from '../../src';

ensureHandlerAssets();

interface Statement { Sid?: string; Action: string | string[]; Resource: string | string[] }
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The statements of the drift handler's role, resolved. */
function driftStatements(template: Template): Statement[] {
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([, r]) => r.Properties.Description === 'lambda-auto-remediation drift handler');
  expect(roles).toHaveLength(1);
  const [roleId] = roles[0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles ?? []).some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((p) => (resolveIntrinsics(p.Properties.PolicyDocument, template) as { Statement: Statement[] }).Statement);
}

function synth(driftDetection?: { configRule?: boolean }) {
  const { stack } = newStack();
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 2), ...(driftDetection ? { driftDetection } : {}) });
  return { stack, remediation, template: Template.fromStack(stack) };
}

describe('drift detection', () => {
  test('GIVEN no driftDetection THEN no drift rule, handler or Config rule (the default stack is unchanged)', () => {
    const { template, remediation } = synth();
    expect(remediation.driftDetection).toBeUndefined();
    expect(Object.values(template.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.EventPattern).includes('CloudTrail'))).toEqual([]);
    template.resourceCountIs('AWS::Config::ConfigRule', 0);
    expect(Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => String(f.Properties.Description).includes('Drift detection'))).toEqual([]);
  });

  test('GIVEN driftDetection THEN a rule routes exactly Lambda\'s CloudTrail UpdateFunctionConfiguration events to the drift handler, with retries and the dead-letter queue', () => {
    const { template } = synth({});
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.lambda'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': { eventSource: ['lambda.amazonaws.com'], eventName: ['UpdateFunctionConfiguration20150331v2'] },
      },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 }, DeadLetterConfig: Match.anyValue() })],
    });
    template.resourceCountIs('AWS::Config::ConfigRule', 0);
  });

  test('THEN the drift handler may query and write records on the table, publish to the topic and put events on the default bus, nothing else', () => {
    const { template } = synth({});
    const actions = driftStatements(template).flatMap((s) => list(s.Action)).sort();
    expect(actions).toEqual([
      'dynamodb:PutItem', 'dynamodb:Query', 'events:PutEvents', 'kms:Decrypt', 'kms:GenerateDataKey', 'logs:CreateLogStream', 'logs:PutLogEvents',
      'sns:Publish', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
    ].sort());
    const put = driftStatements(template).find((s) => list(s.Action).includes('events:PutEvents'))!;
    expect(list(put.Resource)).toEqual(['arn:aws:events:us-east-1:123456789012:event-bus/default']);
    const table = driftStatements(template).find((s) => list(s.Action).includes('dynamodb:Query'))!;
    expect(list(table.Resource)).toEqual([expect.stringMatching(/^arn:aws:dynamodb:us-east-1:123456789012:table\/AutoRemediationStoreTable/)]);
  });

  test('GIVEN configRule THEN a custom Lambda rule on Lambda functions, triggered by configuration changes, invoking the drift handler with permission for Config from this account only', () => {
    const { template } = synth({ configRule: true });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Scope: { ComplianceResourceTypes: ['AWS::Lambda::Function'] },
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AutoRemediationDrift[0-9A-F]{8}$'), 'Arn'] },
        SourceDetails: [
          { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
          { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'config.amazonaws.com', SourceAccount: ACCOUNT });
    const put = driftStatements(template).filter((s) => list(s.Action).includes('config:PutEvaluations'));
    expect(put).toEqual([expect.objectContaining({ Sid: 'ReportConfigEvaluations', Action: 'config:PutEvaluations', Resource: '*' })]);
    // Not config.CustomRule's AWS managed policy.
    const own = Object.values(template.findResources('AWS::IAM::Role')).filter((r) => String(r.Properties.Description ?? '').startsWith('lambda-auto-remediation'));
    expect(own.length).toBeGreaterThan(0);
    for (const role of own) expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  });

  test.each([[{}], [{ configRule: true }]])('cdk-nag reports nothing unacknowledged (%j)', (options) => {
    const { remediation } = synth(options);
    expect(awsSolutionsFindings(remediation)).toEqual([]);
  });
});
