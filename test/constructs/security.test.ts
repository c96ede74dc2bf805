import { Template, Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ACCOUNT, awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack, REGION, resolveIntrinsics } from './helpers';
import { AutoRemediation, Diagnosis } from '../../src';

// Synthesis needs the handler bundles; build any that are missing before the suites below construct stacks.
ensureHandlerAssets();

interface Statement { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[] }

/** Every IAM statement in the template (inline and managed policies), with intrinsics resolved. */
function allStatements(template: Template): Statement[] {
  const docs = [
    ...Object.values(template.findResources('AWS::IAM::Policy')).map(r => r.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map(r => r.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap(r => (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)),
  ];
  return docs.flatMap(d => (resolveIntrinsics(d, template) as { Statement: Statement[] }).Statement);
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('least privilege', () => {
  // GIVEN two functions in the stack and one imported, one of them with an alias
  const { stack } = newStack();
  const [a, b] = demoFunctions(stack, 2);
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: a.currentVersion });
  const imported = lambda.Function.fromFunctionArn(stack, 'Imported', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:legacy-report`);
  // WHEN
  const remediation = new AutoRemediation(stack, 'AutoRemediation', {
    functions: [b, imported],
    diagnosis: Diagnosis.bedrockModel('anthropic.claude-3-5-haiku-20241022-v1:0', { knowledgeBaseId: 'KB12345678' }),
  });
  remediation.addFunction(a, { alias });
  const template = Template.fromStack(stack);
  const statements = allStatements(template);

  test('never allows lambda:UpdateFunctionConfiguration (or any Lambda write) on *', () => {
    const writes = statements.filter(s => list(s.Action).some(x => /^lambda:(Update|Publish|\*)/.test(x)));
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) {
      for (const r of list(s.Resource)) {
        expect(r).not.toBe('*');
        expect(r).not.toMatch(/function:\*$/);
      }
    }
  });

  test('the repair rights name exactly the target functions and the configured alias', () => {
    const repair = statements.filter(s => list(s.Action).includes('lambda:PublishVersion'));
    expect(repair).toHaveLength(1);
    const resources = list(repair[0].Resource);
    expect(resources).toHaveLength(4);
    expect(resources).toEqual(expect.arrayContaining([
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:legacy-report`,
      expect.stringMatching(/function:Target1[0-9A-F]{8}x+$/),
      expect.stringMatching(/function:Target1[0-9A-F]{8}x+:live$/),
      expect.stringMatching(/function:Target2[0-9A-F]{8}x+$/),
    ]));
  });

  test('log reads are limited to the targets\' log groups', () => {
    const reads = statements.filter(s => list(s.Action).includes('logs:FilterLogEvents'));
    expect(reads.length).toBe(2); // collector and verifier
    for (const s of reads) {
      expect(list(s.Resource)).toEqual(expect.arrayContaining([
        `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/legacy-report:*`,
      ]));
      for (const r of list(s.Resource)) {
        if (r.includes(':log-group:')) expect(r).toMatch(/log-group:\/aws\/lambda\/[^*]+:\*$/);
      }
    }
  });

  test('Bedrock invoke only for the configured model and retrieve only for the configured knowledge base', () => {
    const bedrock = statements.filter(s => list(s.Action).some(x => x.startsWith('bedrock:')));
    expect(bedrock.map(s => [s.Action, s.Resource])).toEqual([
      ['bedrock:InvokeModel', `arn:aws:bedrock:${REGION}::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`],
      ['bedrock:Retrieve', `arn:aws:bedrock:${REGION}:${ACCOUNT}:knowledge-base/KB12345678`],
    ]);
  });

  test('each handler gets exactly the DynamoDB actions its store calls make, on the table only', () => {
    const tableArn = /^arn:aws:dynamodb:us-east-1:123456789012:table\/AutoRemediationStoreTable/;
    const byRole: Record<string, string[]> = {};
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      const doc = resolveIntrinsics(policy.Properties.PolicyDocument, template) as { Statement: Statement[] };
      for (const st of doc.Statement.filter(x => list(x.Action).some(action => action.startsWith('dynamodb:')))) {
        for (const r of list(st.Resource)) expect(r).toMatch(tableArn);
        const role = id.replace(/^AutoRemediation/, '').replace(/RoleDefaultPolicy.*$/, '');
        byRole[role] = [...(byRole[role] ?? []), ...list(st.Action)].sort();
      }
    }
    expect(byRole).toEqual({
      WorkflowNormalize: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      DiagnosisCollect: ['dynamodb:PutItem'],
      // Query: the function's repair and diagnosis records (the case history without a knowledge base).
      DiagnosisDiagnose: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      WorkflowRequestApproval: ['dynamodb:PutItem'],
      RepairRepair: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      VerificationVerify: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      RepairRollback: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      // GetItem: finalize reads the lock (pending alarms) and the intake record before releasing.
      VerificationFinalize: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      // Query: the repair record of the ended execution, for the memory it reports.
      WorkflowCleanup: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      // the deploy-time setup writes the managed-function settings item
      SetupSetup: ['dynamodb:PutItem'],
    });
  });

  test('the state machine log holds no execution data, so no approval task token reaches it (issue 10 item 9)', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  test('no role of the construct uses an AWS managed policy', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('AutoRemediation'));
    expect(roles.length).toBeGreaterThanOrEqual(10);
    for (const [, role] of roles) {
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
  });
});

describe('a function imported by a qualified ARN (issue 10 item 12)', () => {
  test('the repair, rollback and collector rights name the unqualified function ARN too', () => {
    // GIVEN a function imported by the ARN of its alias
    const { stack } = newStack();
    const qualified = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:legacy-report:live`;
    const imported = lambda.Function.fromFunctionArn(stack, 'ImportedQualified', qualified);
    // WHEN it is managed
    new AutoRemediation(stack, 'AutoRemediation', { functions: [imported] });
    const statements = allStatements(Template.fromStack(stack));
    // THEN UpdateFunctionConfiguration (authorized on the function resource type,
    // arn:...:function:${FunctionName}) is granted on the unqualified ARN
    const unqualified = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:legacy-report`;
    for (const action of ['lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion', 'lambda:GetFunctionConfiguration']) {
      const granting = statements.filter(s => list(s.Action).includes(action));
      expect(granting.length).toBeGreaterThan(0);
      for (const s of granting) expect(list(s.Resource)).toEqual(expect.arrayContaining([unqualified, qualified]));
    }
  });
});

describe('Bedrock rights per diagnosis choice', () => {
  test('rules only grants no Bedrock action at all', () => {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1) });
    const actions = allStatements(Template.fromStack(stack)).flatMap(s => list(s.Action));
    expect(actions.filter(a => a.startsWith('bedrock:'))).toEqual([]);
  });

  test('an agent grants InvokeAgent on that agent alias only', () => {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', {
      functions: demoFunctions(stack, 1),
      diagnosis: Diagnosis.bedrockAgent('AGENT12345', 'ALIAS12345'),
    });
    const template = Template.fromStack(stack);
    const bedrock = allStatements(template).filter(s => list(s.Action).some(x => x.startsWith('bedrock:')));
    expect(bedrock.map(s => [s.Action, s.Resource])).toEqual([
      ['bedrock:InvokeAgent', `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent-alias/AGENT12345/ALIAS12345`],
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AGENT_ID: 'AGENT12345', AGENT_ALIAS_ID: 'ALIAS12345' }) },
    });
  });

  test('a cross-region inference profile grants the profile and that model in every region', () => {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', {
      functions: demoFunctions(stack, 1),
      diagnosis: Diagnosis.bedrockModel('us.anthropic.claude-3-5-haiku-20241022-v1:0'),
    });
    const bedrock = allStatements(Template.fromStack(stack)).filter(s => list(s.Action).includes('bedrock:InvokeModel'));
    expect(bedrock.map(s => s.Resource)).toEqual([[
      `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0`,
      'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0',
    ]]);
  });

  test('fails when the model id is empty', () => {
    expect(() => Diagnosis.bedrockModel(' ')).toThrow(/model id must not be empty/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test.each([
    ['defaults', {}],
    ['Bedrock model with knowledge base, approval for all, throttles and anomaly alarms', {
      diagnosis: Diagnosis.bedrockModel('us.anthropic.claude-3-5-haiku-20241022-v1:0', { knowledgeBaseId: 'KB12345678' }),
      policy: { requireApproval: true },
      monitoring: { throttles: { enabled: true }, anomalyDetection: { enabled: true } },
      notificationEmails: ['oncall@example.com'],
    }],
  ])('reports no unacknowledged error or warning (%s)', (_name, extra) => {
    // GIVEN the construct with these options
    const { stack } = newStack();
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 3), ...extra });
    // WHEN cdk-nag checks it (only the construct: the demo functions are the user's)
    const findings = awsSolutionsFindings(remediation);
    // THEN
    expect(findings.filter(f => f.severity === 'error')).toEqual([]);
    expect(findings.filter(f => f.severity !== 'error')).toEqual([]);
  });

  test('every suppression carries a written reason', () => {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 2) });
    const template = Template.fromStack(stack).toJSON();
    const suppressions = Object.values(template.Resources as Record<string, any>)
      .flatMap(r => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.id).toMatch(/^AwsSolutions-/);
      expect(s.reason.length).toBeGreaterThanOrEqual(40);
    }
  });
});
