import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ACCOUNT, ensureHandlerAssets, REGION } from './helpers';
import { AutoRemediation, RemediationMonitoring } from '../../src';
import { measureAssembly, QUOTAS, quotaViolations, TemplateFigures } from '../support/cloud-quotas';

// Synthesis needs the handler bundles; build any that are missing before the suites below construct stacks.
ensureHandlerAssets();

const env = { account: ACCOUNT, region: REGION };

/** n functions defined in one stack with the construct (one shared role, as a service's functions often have). */
function inStack(n: number): { assembly: CloudAssembly; remediation: AutoRemediation; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, `InStack${n}`, { env });
  const role = new iam.Role(stack, 'SharedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const functions = Array.from({ length: n }, (_, i) => new lambda.Function(stack, `Fn${i}`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "ok";'),
    timeout: Duration.seconds(30),
    role,
  }));
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions });
  return { assembly: app.synth(), remediation, stack };
}

/** 1,000 functions imported by name (deployed by other pipelines). */
function imported(n: number): { assembly: CloudAssembly; remediation: AutoRemediation; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Imported', { env });
  const functions = Array.from({ length: n }, (_, i) =>
    lambda.Function.fromFunctionName(stack, `Fn${i}`, `orders-service-prod-handler-${String(i).padStart(4, '0')}`));
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions });
  return { assembly: app.synth(), remediation, stack };
}

/** 1,000 functions defined in the app, 200 in each of five service stacks, the construct in its own stack. */
function acrossStacks(): { assembly: CloudAssembly; remediation: AutoRemediation; stack: Stack } {
  const app = new App();
  const functions: lambda.IFunction[] = [];
  for (let s = 0; s < 5; s++) {
    const service = new Stack(app, `Service${s}`, { env });
    const role = new iam.Role(service, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    for (let i = 0; i < 200; i++) {
      functions.push(new lambda.Function(service, `Fn${i}`, {
        functionName: `service${s}-handler-${i}`,
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('x'),
        timeout: Duration.seconds(30),
        role,
      }));
    }
  }
  const stack = new Stack(app, 'Remediation', { env });
  const remediation = new AutoRemediation(stack, 'AutoRemediation', { functions });
  return { assembly: app.synth(), remediation, stack };
}

const cases: Array<[string, () => { assembly: CloudAssembly; remediation: AutoRemediation; stack: Stack }]> = [
  ['1 function in the stack', () => inStack(1)],
  ['50 functions in the stack', () => inStack(50)],
  ['200 functions in the stack', () => inStack(200)],
  ['1,000 imported functions', () => imported(1000)],
  ['1,000 functions defined in five other stacks of the app', acrossStacks],
];

describe.each(cases)('%s', (_name, build) => {
  const { assembly, remediation, stack } = build();
  const figures: TemplateFigures[] = measureAssembly(assembly);
  const mine = figures.filter((f) => f.name === stack.stackName || f.nested);

  test('"Maximum number of resources that you can declare in your CloudFormation template": 500', () => {
    for (const f of figures) expect(f.resources).toBeLessThanOrEqual(QUOTAS.resourcesPerTemplate);
  });

  test('"Maximum size of a template body that you can pass in an Amazon S3 object": 1 MB', () => {
    for (const f of figures) expect(f.bytes).toBeLessThanOrEqual(QUOTAS.templateBytes);
  });

  test('"Maximum number of outputs" and "parameters that you can declare in your CloudFormation template": 200 each', () => {
    for (const f of figures) {
      expect(f.outputs).toBeLessThanOrEqual(QUOTAS.outputsPerTemplate);
      expect(f.parameters).toBeLessThanOrEqual(QUOTAS.parametersPerTemplate);
    }
  });

  test('IAM: "Managed policies attached to an IAM role": 10, "Managed policy size": 6,144 characters', () => {
    for (const f of mine) {
      expect(f.maxManagedPoliciesPerRole).toBeLessThanOrEqual(QUOTAS.managedPoliciesPerRole);
      expect(f.maxManagedPolicyCharacters).toBeLessThanOrEqual(QUOTAS.managedPolicyCharacters);
    }
  });

  test('IAM: "Role policy size": 10,240 characters of inline policy per role', () => {
    for (const f of mine) expect(f.maxInlineCharactersPerRole).toBeLessThanOrEqual(QUOTAS.inlineCharactersPerRole);
  });

  test('Lambda: "Function environment variables": 4 KB', () => {
    for (const f of mine) expect(f.maxEnvironmentBytes).toBeLessThanOrEqual(QUOTAS.environmentBytes);
  });

  test('no quota is broken anywhere in the app', () => {
    expect(quotaViolations(figures)).toEqual([]);
  });

  test('every managed function has its errors alarm, and a memory alarm names its log group', () => {
    const n = remediation.functions.length;
    expect(mine.reduce((sum, f) => sum + f.alarms, 0)).toBeGreaterThanOrEqual(n);
    expect(remediation.monitoring.logGroupNames).toHaveLength(n);
    expect(mine.reduce((sum, f) => sum + f.logAlarms, 0)).toBe(Math.ceil(n / RemediationMonitoring.LOG_GROUPS_PER_LOG_ALARM));
  });
});

describe('rights by name or by tag', () => {
  test('50 functions are named one by one in the rights; past what one role can hold, the rights go by tag', () => {
    const small = measureAssembly(inStack(50).assembly);
    const largeImported = imported(1000);
    // by name: managed policies that list the functions
    expect(small[0].managedPolicies).toBeGreaterThan(5);
    // by tag: a constant number of policies whatever the number of functions
    const large = measureAssembly(largeImported.assembly);
    expect(large.find((f) => f.name === 'Imported')!.managedPolicies).toBeLessThanOrEqual(6);
    // imported functions cannot be tagged by the construct: the user is told
    Annotations.fromStack(largeImported.stack).hasWarning('*', Match.stringLikeRegexp('1000 imported function\\(s\\) are managed through their tag LambdaAutoRemediation='));
  });
});
