import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ACCOUNT, ensureAgentActionsAsset, newStack, REGION } from './support';
import { RemediationAgent } from '../../src/knowledge/remediation-agent';
import { RemediationKnowledgeBase } from '../../src/knowledge/remediation-knowledge-base';

beforeAll(() => ensureAgentActionsAsset());

/** A stack with both constructs, targets imported (as most users have them) and a case writer. */
function bothConstructs() {
  const { app, stack } = newStack();
  const orders = lambda.Function.fromFunctionArn(stack, 'Orders', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders`);
  const thumbnails = lambda.Function.fromFunctionArn(stack, 'Thumbnails', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:thumbnails`);
  const kb = new RemediationKnowledgeBase(stack, 'Kb');
  new RemediationAgent(stack, 'Agent', { targets: [orders, thumbnails], foundationModel: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', knowledgeBase: kb });
  // The case writer stands in for the workflow's finalize handler; only its knowledge-base rights are under test.
  const writerRole = new iam.Role(stack, 'WriterRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const writer = new lambda.Function(stack, 'Writer', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    role: writerRole,
  });
  Validations.of(writer).acknowledge({ id: 'AwsSolutions-L1', reason: 'Test fixture standing in for the finalize handler.' });
  kb.enableCaseRecording(writer);
  return { app, stack };
}

describe('cdk-nag AwsSolutions', () => {
  test('GIVEN a stack with the knowledge base and the agent WHEN checked THEN there is no unacknowledged finding', () => {
    const { app, stack } = bothConstructs();
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  test('GIVEN the same stack WHEN the acknowledgements are read THEN each has a written reason of at least 10 characters', () => {
    const { stack } = bothConstructs();
    const reasons: string[] = [];
    for (const c of stack.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) reasons.push(...Object.values(entry.data as Record<string, string>));
      }
    }
    expect(reasons.length).toBeGreaterThanOrEqual(8);
    for (const r of reasons) expect(r.length).toBeGreaterThanOrEqual(10);
  });

  test('GIVEN a wildcard the constructs did not expect WHEN checked THEN cdk-nag still reports it (acknowledgements are per finding)', () => {
    const { app, stack } = bothConstructs();
    const agent = stack.node.findChild('Agent') as RemediationAgent;
    agent.actionFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:*'], resources: ['*'] }));
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-IAM5[Action::lambda:*]']);
  });
});
