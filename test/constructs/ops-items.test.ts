import { Match, Template } from 'aws-cdk-lib/assertions';
import { awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack, resolveIntrinsics } from './helpers';
import { AutoRemediation } from '../../src';

ensureHandlerAssets();

interface Statement { Sid?: string; Action: string | string[]; Resource: string | string[] }
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function synth(opsItems?: { priority?: number; severity?: number }, driftDetection?: {}) {
  const { stack } = newStack();
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1), ...(opsItems ? { opsItems } : {}), ...(driftDetection ? { driftDetection } : {}) });
  return { remediation, template: Template.fromStack(stack) };
}

function opsItemStatements(template: Template): Statement[] {
  const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.Description === 'lambda-auto-remediation opsItem handler')!;
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles ?? []).some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((p) => (resolveIntrinsics(p.Properties.PolicyDocument, template) as { Statement: Statement[] }).Statement);
}

describe('OpsCenter OpsItems', () => {
  test('GIVEN no opsItems THEN no OpsItem rule or handler (the default stack is unchanged)', () => {
    const { template, remediation } = synth();
    expect(remediation.opsItems).toBeUndefined();
    expect(Object.values(template.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.EventPattern).includes('Lambda Remediation'))).toEqual([]);
  });

  test('GIVEN opsItems THEN results that need a person and drift events on the default bus reach the handler', () => {
    const { template } = synth({ priority: 1, severity: 3 });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['lambda-auto-remediation'], 'detail-type': ['Lambda Remediation Result'], 'detail': { outcome: ['HUMAN_REVIEW', 'FAILED'] } },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['lambda-auto-remediation'], 'detail-type': ['Lambda Remediation Drift'] } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OPS_ITEM_PRIORITY: '1', OPS_ITEM_SEVERITY: '3', OPS_ITEM_ACCOUNT: '123456789012' }) },
    });
  });

  test('THEN the handler may create OpsItems, read diagnosis records and write its own, nothing else', () => {
    const { template } = synth({});
    const actions = opsItemStatements(template).flatMap((s) => list(s.Action)).sort();
    expect(actions).toEqual(['dynamodb:PutItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ssm:CreateOpsItem', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort());
    expect(opsItemStatements(template).find((s) => s.Sid === 'OpenOpsItems')).toMatchObject({ Action: 'ssm:CreateOpsItem', Resource: '*' });
  });

  test.each([[{ priority: 0 }, 'opsItems.priority must be a whole number from 1 to 5, got 0'], [{ severity: 5 }, 'opsItems.severity must be a whole number from 1 to 4, got 5']])(
    'fails when %j', (options, message) => {
      expect(() => synth(options)).toThrow(message);
    });

  test('cdk-nag reports nothing unacknowledged with OpsItems and drift detection', () => {
    const { remediation } = synth({}, {});
    expect(awsSolutionsFindings(remediation)).toEqual([]);
  });
});
