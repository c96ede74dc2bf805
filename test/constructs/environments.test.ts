import { Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { demoFunctions, ensureHandlerAssets, newStack, resolveIntrinsics, stateMachineDefinition } from './helpers';
import { AutoRemediation, EnvironmentMatch, RemediationEnvironment, RepairStrategy, Workflow } from '../../src';
import { STATE_NAMES as S } from '../../src/workflow/definition';

ensureHandlerAssets();

/** The REMEDIATION_POLICY the repair handler reads, with function names resolved to their logical ids. */
function repairPolicy(template: Template): Record<string, any> {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('UpdateFunctionConfiguration MemorySize with the collected RevisionId') } });
  const env = resolveIntrinsics(Object.values(fns)[0].Properties.Environment.Variables, template) as Record<string, string>;
  return JSON.parse(env.REMEDIATION_POLICY);
}

function logicalIdOf(stack: Stack, fn: lambda.Function): string {
  return stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
}

describe('GIVEN production by tag (approval, progressive) and staging by name pattern', () => {
  const { stack } = newStack();
  const [prod, dev] = demoFunctions(stack, 2);
  // The tag comes from the app, as a stack or function tag would.
  Tags.of(prod).add('env', 'prod');
  const environments: RemediationEnvironment[] = [
    {
      name: 'production',
      match: EnvironmentMatch.tag('env', 'prod'),
      requireApproval: true,
      policy: { maxMemoryMb: 4096, cooldown: Duration.hours(2) },
      repairStrategy: RepairStrategy.progressive({ canaryPercent: 10 }),
    },
    { name: 'staging', match: EnvironmentMatch.namePattern('stg-*'), policy: { dryRun: true } },
  ];
  new AutoRemediation(stack, 'AutoRemediation', { functions: [prod, dev], environments });
  const template = Template.fromStack(stack);
  const policy = repairPolicy(template);

  test('THEN the handlers get the environments in order: the tagged function listed under production, the pattern kept for run time', () => {
    expect(policy.environments).toEqual([
      {
        name: 'production',
        functions: [expect.stringContaining(logicalIdOf(stack, prod))],
        override: { maxMemoryMb: 4096, cooldownSeconds: 7200, requireApproval: true },
        repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.1, bakeTimeSeconds: 900 },
      },
      { name: 'staging', namePattern: 'stg-*', override: { dryRun: true } },
    ]);
    expect(JSON.stringify(policy.environments[0].functions)).not.toContain(logicalIdOf(stack, dev));
  });

  test('THEN the stack keeps its own policy and strategy for the others', () => {
    expect(policy.maxMemoryMb).toBe(3008);
    expect(policy.repairStrategy).toBeUndefined();
    expect(policy.approvalMode).toBe('NONE');
  });

  test('THEN the workflow can promote a canary, because one environment is progressive', () => {
    expect(stateMachineDefinition(template).States[S.PROMOTE]).toBeDefined();
  });
});

describe('environment validation at synthesis', () => {
  const build = (environments: RemediationEnvironment[], workflow?: Workflow) => {
    const { app, stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1), environments, ...(workflow ? { workflow } : {}) });
    return () => app.synth();
  };

  test('fails when an environment sets a stack-wide guardrail, naming the prop and where to set it', () => {
    expect(() => build([{ name: 'prod', match: EnvironmentMatch.namePattern('prod-*'), policy: { verificationWindow: Duration.minutes(5) } }]))
      .toThrow("environments[0].policy.verificationWindow applies to the whole stack, not to one environment: set it on the stack's policy");
    expect(() => build([{ name: 'prod', match: EnvironmentMatch.namePattern('prod-*'), policy: { requireApproval: true } }]))
      .toThrow('environments[0].policy.requireApproval applies to the whole stack, not to one environment: use environments[0].requireApproval');
  });

  test('fails when an environment guardrail is out of range, naming the environment and the prop', () => {
    expect(() => build([{ name: 'prod', match: EnvironmentMatch.namePattern('prod-*') }, { name: 'dev', match: EnvironmentMatch.namePattern('dev-*'), policy: { maxMemoryMb: 20000 } }]))
      .toThrow('environments[1].policy.maxMemoryMb must be a whole number between 128 and 10240, got 20000');
  });

  test('fails when the name is empty', () => {
    expect(() => build([{ name: ' ', match: EnvironmentMatch.namePattern('prod-*') }])).toThrow(/environments\[0\].name is required/);
  });

  test.each(['prod.*', '', 'prod orders'])('fails when the name pattern is %p, saying what a pattern may hold', (pattern) => {
    expect(() => EnvironmentMatch.namePattern(pattern)).toThrow(/namePattern must be 1 to 140 letters, digits, '-', '_', '\*' or '\?'/);
  });

  test('fails when a tag has no key or no value', () => {
    expect(() => EnvironmentMatch.tag('', 'prod')).toThrow(/needs a tag key and a value/);
    expect(() => EnvironmentMatch.tag('env', ' ')).toThrow(/needs a tag key and a value/);
  });

  test('fails when an environment asks for approval under the Lambda coordinator', () => {
    const synth = build([{ name: 'prod', match: EnvironmentMatch.namePattern('prod-*'), requireApproval: true }], Workflow.lambdaCoordinator());
    expect(synth).toThrow(/approval needs the Step Functions workflow/);
  });

  test('GIVEN an imported function and a tag match THEN synthesis warns that the tag cannot match it', () => {
    const { stack } = newStack();
    const imported = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:prod-orders');
    new AutoRemediation(stack, 'AutoRemediation', {
      functions: [imported],
      environments: [{ name: 'prod', match: EnvironmentMatch.tag('env', 'prod') }],
    });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('EnvironmentMatch.tag never matches it; match it with EnvironmentMatch.namePattern'));
  });
});
