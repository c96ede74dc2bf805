/**
 * `workflow: Workflow.lambdaCoordinator()`: one coordinator function in place of the state
 * machine, started by the same rule, waking itself with EventBridge Scheduler one-time schedules;
 * approval with it fails synthesis.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCOUNT, awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack, REGION, resolveIntrinsics } from './helpers';
import { Approval, AutoRemediation, Workflow } from '../../src';
import { ENV, HANDLERS } from '../../src/workflow/contract';

ensureHandlerAssets();

function coordinatorStack() {
  const { app, stack } = newStack();
  const functions = demoFunctions(stack, 2);
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions, workflow: Workflow.lambdaCoordinator() });
  return { app, stack, remediation, template: Template.fromStack(stack) };
}

/** The logical id of the one Lambda function whose description contains `text`. */
function functionId(template: Template, text: string): string {
  const ids = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(text) } }));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('GIVEN Workflow.lambdaCoordinator()', () => {
  const { stack, remediation, template } = coordinatorStack();
  const coordinatorId = functionId(template, 'Lambda coordinator');
  const coordinator = template.toJSON().Resources[coordinatorId];

  test('THEN there is no state machine, and the alarm rule targets the coordinator with the dead-letter queue and retries', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(remediation.stateMachine).toBeUndefined();
    expect(remediation.workflow.coordinatorFunction).toBeDefined();
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    const alarmRule = rules.find((r) => JSON.stringify(r.Properties.EventPattern).includes('CloudWatch Alarm State Change'));
    expect(alarmRule.Properties.Targets).toEqual([expect.objectContaining({
      Arn: { 'Fn::GetAtt': [coordinatorId, 'Arn'] },
      DeadLetterConfig: expect.anything(),
      RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
    })]);
    // No execution status rule: the coordinator's failures reach the cleanup as its on-failure destination.
    expect(rules.some((r) => JSON.stringify(r.Properties.EventPattern).includes('Step Functions Execution Status Change'))).toBe(false);
  });

  test('THEN the coordinator has the handler contract\'s timeout and knows every handler it invokes, its schedule group and scheduler role', () => {
    expect(coordinator.Properties.Timeout).toBe(HANDLERS.coordinator.timeoutSeconds);
    const env = resolveIntrinsics(coordinator.Properties.Environment.Variables, template) as Record<string, string>;
    for (const name of HANDLERS.coordinator.requiredEnv) expect(env[name]).toEqual(expect.any(String));
    const handlers = JSON.parse(env[ENV.COORDINATOR_HANDLERS]) as Record<string, string>;
    expect(Object.keys(handlers).sort()).toEqual(['collect', 'diagnose', 'finalize', 'normalize', 'repair', 'rollback', 'verify']);
    expect(handlers.requestApproval).toBeUndefined();
  });

  test('THEN Lambda gives up on a coordinator event after two retries and hands it to the cleanup', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: coordinatorId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [functionId(template, 'After an execution FAILED'), 'Arn'] } } },
    });
  });

  test('THEN the scheduler role trusts EventBridge Scheduler for this account only and may invoke the coordinator only', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] } },
    });
    const [roleId] = Object.keys(roles);
    expect(Object.keys(roles)).toHaveLength(1);
    expect(roles[roleId].Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as any[];
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement
      .map((s: any) => ({ action: s.Action, resource: JSON.stringify(s.Resource) })));
    expect(actions.filter((a) => a.action === 'lambda:InvokeFunction').every((a) => a.resource.includes(coordinatorId))).toBe(true);
    expect(actions.map((a) => a.action).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
  });

  test('THEN the coordinator may create schedules in its own group only, and pass the scheduler role to Scheduler only', () => {
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as any[])
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(coordinator.Properties.Role['Fn::GetAtt'][0]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const create = statements.find((s) => s.Action === 'scheduler:CreateSchedule');
    const resource = resolveIntrinsics(create.Resource, template) as string;
    expect(resource).toMatch(new RegExp(`^arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/[^/*]+/\\*$`));
    const pass = statements.find((s) => s.Action === 'iam:PassRole');
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    expect(statements.some((s) => [].concat(s.Action).some((a: string) => a.startsWith('states:')))).toBe(false);
  });

  test('THEN normalize and finalize start further runs by invoking the coordinator, not Step Functions', () => {
    for (const policyId of ['NormalizeStartsExecutions', 'FinalizeStartsExecutions', 'CleanupStartsRuns']) {
      const found = template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp(policyId) } });
      const statement = (Object.values(found)[0] as any).Properties.PolicyDocument.Statement[0];
      expect({ policyId, action: statement.Action, resource: statement.Resource }).toEqual({ policyId, action: 'lambda:InvokeFunction', resource: { 'Fn::GetAtt': [coordinatorId, 'Arn'] } });
    }
  });

  test('THEN a schedule group exists and grantApprove says approval needs Step Functions', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    expect(() => remediation.workflow.grantApprove(remediation.workflow.cleanupFunction)).toThrow(/grantApprove needs the Step Functions workflow/);
  });

  test('THEN cdk-nag reports nothing unacknowledged', () => {
    const findings = awsSolutionsFindings(remediation);
    expect(findings).toEqual([]);
    void stack;
  });
});

describe('GIVEN the coordinator and a customer key', () => {
  test('THEN the key lets EventBridge Scheduler write dead letters for this account, and the coordinator adds no cdk-nag finding to the key\'s', () => {
    const findingsWith = (workflow: Workflow) => {
      const { stack } = newStack();
      const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1), workflow, encryptionKey });
      return { stack, findings: awsSolutionsFindings(remediation).map((f) => f.rule) };
    };
    const { stack, findings } = findingsWith(Workflow.lambdaCoordinator());
    const key = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0] as any;
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Sid: 'SchedulerDeadLetters',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    }));
    // The key's grants (kms:GenerateDataKey*, kms:ReEncrypt*) are reported with either workflow; the coordinator adds none.
    const withStepFunctions = new Set(findingsWith(Workflow.stepFunctions()).findings);
    expect(findings.filter((f) => !withStepFunctions.has(f))).toEqual([]);
  });
});

describe('GIVEN approval and the coordinator', () => {
  test.each([
    ['for all functions', () => Approval.allFunctions() as Approval | undefined, undefined],
    ['for one function', (fns: any[]) => Approval.forFunctions([fns[0]]) as Approval | undefined, undefined],
    ['per function through addFunction', () => undefined, true],
  ])('fails synthesis with a message that says so (approval %s)', (_name, approvalOf: (fns: any[]) => Approval | undefined, perFunction) => {
    const app = new App();
    const { stack } = newStack();
    const fns = demoFunctions(stack, 2);
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [fns[0]], workflow: Workflow.lambdaCoordinator(), approval: approvalOf(fns) });
    remediation.addFunction(fns[1], perFunction ? { requireApproval: true } : {});
    void app;
    expect(() => Template.fromStack(stack)).toThrow(/approval needs the Step Functions workflow: Workflow\.lambdaCoordinator\(\) has no approval step/);
  });

  test('the default workflow with approval still synthesizes a state machine', () => {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1), approval: Approval.allFunctions(), workflow: Workflow.stepFunctions() });
    Template.fromStack(stack).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });
});
