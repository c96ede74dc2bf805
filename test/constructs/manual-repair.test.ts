import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ACCOUNT, awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack, resolveIntrinsics } from './helpers';
import { AutoRemediation } from '../../src';

ensureHandlerAssets();

interface Statement { Sid?: string; Action: string | string[]; Resource: string | string[] }
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function synth(extra: Record<string, unknown> = {}) {
  const { stack } = newStack();
  const targets = demoFunctions(stack, 2);
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: targets, ...extra });
  return { stack, targets, remediation, template: Template.fromStack(stack) };
}

function statementsOf(template: Template, description: string): Statement[] {
  const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.Description === description)!;
  return [
    ...Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => (p.Properties.Roles ?? []).some((r: { Ref?: string }) => r.Ref === roleId)),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) => (p.Properties.Roles ?? []).some((r: { Ref?: string }) => r.Ref === roleId)),
  ].flatMap((p) => (resolveIntrinsics(p.Properties.PolicyDocument, template) as { Statement: Statement[] }).Statement);
}

describe('manual repair runbook (SSM Automation)', () => {
  test('GIVEN no manualRepairRunbook THEN no Automation document (the default stack is unchanged)', () => {
    const { template, remediation } = synth();
    template.resourceCountIs('AWS::SSM::Document', 0);
    expect(remediation.manualRepair).toBeUndefined();
  });

  test('GIVEN manualRepairRunbook THEN an Automation document whose one step invokes the manual repair handler as a role only Automation of this account may assume', () => {
    const { template } = synth({ manualRepairRunbook: true });
    template.hasResourceProperties('AWS::SSM::Document', {
      DocumentType: 'Automation',
      Content: Match.objectLike({
        schemaVersion: '0.3',
        assumeRole: '{{ AutomationAssumeRole }}',
        parameters: Match.objectLike({
          FunctionName: Match.objectLike({ type: 'String', allowedPattern: '^[A-Za-z0-9_-]{1,64}$' }),
          MemorySize: Match.objectLike({ type: 'Integer' }),
          AutomationAssumeRole: Match.objectLike({ default: { 'Fn::GetAtt': [Match.stringLikeRegexp('AutomationRole'), 'Arn'] } }),
        }),
        mainSteps: [Match.objectLike({ action: 'aws:invokeLambdaFunction', inputs: Match.objectLike({ FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('ManualRepair'), 'Arn'] } }) })],
      }),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'lambda-auto-remediation manual repair runbook (Automation assumes it)',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ssm.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } })] },
    });
    const automation = statementsOf(template, 'lambda-auto-remediation manual repair runbook (Automation assumes it)');
    expect(automation.map((s) => [s.Action, list(s.Resource).length])).toEqual([['lambda:InvokeFunction', 1]]);
    expect(String(list(automation[0].Resource)[0])).toMatch(/:function:AutoRemediationManualRepair/);
  });

  test('THEN the handler may read and update exactly the managed functions, and use the table and topic', () => {
    const { template, targets, stack } = synth({ manualRepairRunbook: true });
    const statements = statementsOf(template, 'lambda-auto-remediation manualRepair handler');
    const update = statements.filter((s) => list(s.Action).includes('lambda:UpdateFunctionConfiguration'));
    const names = targets.map((t) => resolveIntrinsics(stack.resolve(t.functionArn), template));
    expect(update.flatMap((s) => list(s.Resource)).sort()).toEqual(expect.arrayContaining(names as string[]));
    expect(update.flatMap((s) => list(s.Resource)).some((r) => r === '*' || r.endsWith(':function:*'))).toBe(false);
    const actions = new Set(statements.flatMap((s) => list(s.Action)));
    expect([...actions].filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actions.has('sns:Publish')).toBe(true);
  });

  test('GIVEN opsItems too THEN each OpsItem lists the runbook', () => {
    const { template } = synth({ manualRepairRunbook: true, opsItems: {} });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ OPS_ITEM_AUTOMATION_DOCUMENT: { Ref: Match.stringLikeRegexp('ManualRepairDocument') } }) } });
  });

  test('grantStart lets a principal start the document and pass its role, nothing more', () => {
    const { stack } = newStack();
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1), manualRepairRunbook: true });
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    remediation.manualRepair!.grantStart(operator);
    const template = Template.fromStack(stack);
    const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('Operator'))!;
    const doc = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => (p.Properties.Roles ?? []).some((r: { Ref?: string }) => r.Ref === roleId))!;
    const statements = (resolveIntrinsics(doc.Properties.PolicyDocument, template) as { Statement: Statement[] }).Statement;
    expect(statements.map((s) => s.Action).sort()).toEqual(['iam:PassRole', 'ssm:StartAutomationExecution']);
    const start = statements.find((s) => s.Action === 'ssm:StartAutomationExecution')!;
    expect(list(start.Resource)).toEqual([expect.stringMatching(/^arn:aws:ssm:us-east-1:123456789012:document\//), 'arn:aws:ssm:us-east-1:123456789012:automation-execution/*']);
  });

  test('cdk-nag reports nothing unacknowledged with the runbook, OpsItems and drift detection', () => {
    const { remediation } = synth({ manualRepairRunbook: true, opsItems: {}, driftDetection: { configRule: true } });
    expect(awsSolutionsFindings(remediation)).toEqual([]);
  });
});
