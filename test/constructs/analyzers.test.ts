import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ACCOUNT, awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack, REGION, resolveIntrinsics } from './helpers';
import { AutoRemediation, Diagnosis } from '../../src';
import { ENV } from '../../src/workflow/contract';

ensureHandlerAssets();

interface Statement { Sid?: string; Action: string | string[]; Resource: string | string[] }
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The statements that let a role invoke a function other than the construct's own handlers. */
function invokeOfOthers(template: Template): Statement[] {
  return statements(template).filter((s) => list(s.Action).includes('lambda:InvokeFunction')
    && list(s.Resource).some((r) => !r.includes(':function:AutoRemediation')));
}

function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((r) => (resolveIntrinsics(r.Properties.PolicyDocument, template) as { Statement: Statement[] }).Statement);
}

/** The diagnose handler's environment, resolved. */
function diagnoseEnv(template: Template): Record<string, string> {
  const fns = Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((r) => String(r.Properties.Description ?? '').includes('Rule engine always'));
  expect(fns).toHaveLength(1);
  return resolveIntrinsics(fns[0].Properties.Environment.Variables, template) as Record<string, string>;
}

describe('custom analyzers on the diagnosis', () => {
  test('GIVEN two analyzers (one an alias) THEN the diagnose role may invoke exactly those two ARNs, and the handler is told them in order', () => {
    const { stack } = newStack();
    const [target, teamAnalyzer, capacity] = demoFunctions(stack, 3);
    const live = new lambda.Alias(stack, 'CapacityLive', { aliasName: 'live', version: capacity.currentVersion });
    new AutoRemediation(stack, 'AutoRemediation', {
      functions: [target],
      diagnosis: Diagnosis.rulesOnly({ analyzers: [teamAnalyzer, live], analyzerTimeout: Duration.seconds(5) }),
    });
    const template = Template.fromStack(stack);

    const invoke = invokeOfOthers(template);
    const teamArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${resolveIntrinsics({ Ref: stack.getLogicalId(teamAnalyzer.node.defaultChild as lambda.CfnFunction) }, template)}`;
    const liveArn = resolveIntrinsics(stack.resolve(live.functionArn), template) as string;
    expect(invoke).toEqual([expect.objectContaining({ Sid: 'InvokeCustomAnalyzers', Action: 'lambda:InvokeFunction', Resource: [teamArn, liveArn] })]);
    expect(liveArn).toMatch(/:live$/);

    const env = diagnoseEnv(template);
    expect(JSON.parse(env[ENV.ANALYZER_FUNCTIONS])).toEqual([teamArn, liveArn]);
    expect(env[ENV.ANALYZER_TIMEOUT_MS]).toBe('5000');
  });

  test('GIVEN a Bedrock model and an analyzer THEN both rights are granted and nothing else', () => {
    const { stack } = newStack();
    const [target, analyzer] = demoFunctions(stack, 2);
    new AutoRemediation(stack, 'AutoRemediation', {
      functions: [target],
      diagnosis: Diagnosis.bedrockModel('anthropic.claude-3-5-haiku-20241022-v1:0', { analyzers: [analyzer] }),
    });
    const template = Template.fromStack(stack);
    const sids = statements(template).map((s) => s.Sid).filter((s) => s === 'InvokeConfiguredModel' || s === 'InvokeCustomAnalyzers');
    expect(sids.sort()).toEqual(['InvokeConfiguredModel', 'InvokeCustomAnalyzers']);
    expect(diagnoseEnv(template)[ENV.ANALYZER_TIMEOUT_MS]).toBe('10000');
  });

  test('GIVEN no analyzer THEN no Lambda invoke right and no analyzer variable (the default stack is unchanged)', () => {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1) });
    const template = Template.fromStack(stack);
    expect(invokeOfOthers(template)).toEqual([]);
    expect(statements(template).filter((s) => s.Sid === 'InvokeCustomAnalyzers')).toEqual([]);
    const env = diagnoseEnv(template);
    expect(env[ENV.ANALYZER_FUNCTIONS]).toBeUndefined();
    expect(env[ENV.ANALYZER_TIMEOUT_MS]).toBeUndefined();
  });

  test('an imported analyzer is granted by its ARN', () => {
    const { stack } = newStack();
    const analyzer = lambda.Function.fromFunctionArn(stack, 'Shared', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:platform-oom-analyzer`);
    new AutoRemediation(stack, 'AutoRemediation', {
      functions: demoFunctions(stack, 1),
      diagnosis: Diagnosis.bedrockAgent('AGENT12345', 'ALIAS12345', { analyzers: [analyzer] }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'InvokeCustomAnalyzers', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:platform-oom-analyzer` })]) },
    });
  });

  test('cdk-nag reports nothing unacknowledged with analyzers', () => {
    const { stack } = newStack();
    const [target, analyzer] = demoFunctions(stack, 2);
    const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions: [target], diagnosis: Diagnosis.rulesOnly({ analyzers: [analyzer] }) });
    expect(awsSolutionsFindings(remediation)).toEqual([]);
  });

  test('fails when more than 5 analyzers are given', () => {
    const { stack } = newStack();
    expect(() => Diagnosis.rulesOnly({ analyzers: demoFunctions(stack, 6) })).toThrow('at most 5 custom analyzers, got 6');
  });

  test('fails when an analyzer is listed twice', () => {
    const { stack } = newStack();
    const [a] = demoFunctions(stack, 1);
    expect(() => Diagnosis.rulesOnly({ analyzers: [a, a] })).toThrow('custom analyzer TestStack/Target1 is listed twice');
  });

  test.each([[Duration.millis(500), '500 millis'], [Duration.minutes(1), '1 minute']])('fails when the analyzer timeout is %s', (timeout, shown) => {
    expect(() => Diagnosis.rulesOnly({ analyzerTimeout: timeout })).toThrow(`analyzerTimeout must be 1 to 30 seconds, got ${shown}`);
  });
});
