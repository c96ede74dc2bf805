/**
 * The templates this library synthesizes pass CloudFormation Validate, the rule engine aws-cdk-lib
 * runs on every synthesis (the rules of cfn-lint: resource and property schemas, allowed values,
 * intrinsic functions, deprecated runtimes). The other test files turn it off for speed
 * (test/support/jest-setup.js); here it runs with its findings as errors
 * (`@aws-cdk/core:validateAgainstDefaultRules`), over the shapes a user meets: functions defined
 * in the app, imported functions, fleet mode, and enough functions for nested alarm stacks.
 * https://docs.aws.amazon.com/cdk/v2/guide/validation.html
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { demoFunctions, ensureHandlerAssets } from './helpers';
import { AutoRemediation, AutoRemediationProps, EnvironmentMatch, RepairStrategy } from '../../src';

// This file validates: undo the suite-wide switch (each test file has its own process.env).
delete process.env.CDK_VALIDATION;
jest.setTimeout(600_000);
beforeAll(() => ensureHandlerAssets());

interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity: string;
  readonly paths: string[];
}

/** Synthesize with validation as errors; the violations the report lists, with construct paths. */
function validate(build: (stack: Stack) => AutoRemediationProps): { violations: Violation[]; templates: number } {
  const app = new App({ builtinCloudFormationValidation: true, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const stack = new Stack(app, 'Validated', { env: { account: '123456789012', region: 'us-east-1' } });
  new AutoRemediation(stack, 'AR', build(stack));
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
  const violations: Violation[] = report.pluginReports.flatMap((p: any) => (p.violations ?? []).map((v: any) => ({
    ruleName: v.ruleName,
    description: v.description,
    severity: v.severity,
    paths: (v.violatingConstructs ?? []).map((c: any) => c.constructPath),
  })));
  const templates = assembly.stacks.reduce((n, s) => n + 1 + Object.values(s.template.Resources ?? {})
    .filter((r: any) => r.Type === 'AWS::CloudFormation::Stack').length, 0);
  return { violations, templates };
}

/** Only what this library put in the template (the user's own functions are the user's). */
function ours(violations: Violation[]): Violation[] {
  return violations
    .map((v) => ({ ...v, paths: v.paths.filter((p) => p.startsWith('Validated/AR/') || p.startsWith('Validated/AR.')) }))
    .filter((v) => v.paths.length > 0);
}

describe('CloudFormation Validate finds nothing in what AutoRemediation synthesizes', () => {
  test('functions defined in the app (the default shape)', () => {
    const { violations } = validate((stack) => ({ functions: demoFunctions(stack, 3) }));
    expect(ours(violations)).toEqual([]);
  });

  test('repair strategies and environments (a progressive environment by tag, a custom strategy for the rest)', () => {
    const { violations } = validate((stack) => {
      const [prod, dev, changer] = demoFunctions(stack, 3);
      Tags.of(prod).add('env', 'prod');
      return {
        functions: [prod, dev],
        repairStrategy: RepairStrategy.custom(changer),
        environments: [{
          name: 'production',
          match: EnvironmentMatch.tag('env', 'prod'),
          requireApproval: true,
          repairStrategy: RepairStrategy.progressive({ canaryPercent: 10 }),
          policy: { maxMemoryMb: 4096 },
        }],
      };
    });
    expect(ours(violations)).toEqual([]);
  });

  test('imported functions', () => {
    const { violations } = validate((stack) => ({
      functions: [0, 1].map((i) => lambda.Function.fromFunctionAttributes(stack, `Imported${i}`, {
        functionArn: `arn:aws:lambda:us-east-1:123456789012:function:imported-${i}`,
        sameEnvironment: true,
      })),
    }));
    expect(ours(violations)).toEqual([]);
  });

  test('fleet mode (functions selected by a tag)', () => {
    const { violations } = validate(() => ({ monitoring: { fleet: { tagValue: 'payments' } } }));
    expect(ours(violations)).toEqual([]);
  });

  test('200 functions: the per-function alarms in nested stacks, each template validated', () => {
    // One role for the 200 functions, as a user with that many would share one (a role each is 400 resources).
    const { violations, templates } = validate((stack) => {
      const role = new iam.Role(stack, 'SharedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      return { functions: demoFunctions(stack, 200, Duration.seconds(30), 'Target', role) };
    });
    expect(templates).toBeGreaterThan(1);
    expect(ours(violations)).toEqual([]);
  });

  test('a finding in the template is reported (the check can fail)', () => {
    // A negative memory size is against the Lambda resource schema (MemorySize minimum 128).
    const { violations } = (() => {
      try {
        return validate((stack) => {
          const fns = demoFunctions(stack, 1);
          (fns[0].node.defaultChild as lambda.CfnFunction).memorySize = 64;
          return { functions: fns };
        });
      } catch (err) {
        return { violations: [{ ruleName: 'thrown', description: String(err), severity: 'error', paths: [] }] };
      }
    })();
    expect(violations.map((v) => `${v.ruleName} ${v.description}`).join('\n')).toMatch(/MemorySize|64/);
  });
});
