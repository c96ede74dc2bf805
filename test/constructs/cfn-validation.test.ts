/**
 * CDK's built-in CloudFormation validation (aws-cdk-lib's CloudFormationValidatePlugin, on by
 * default at every synth of a user's app) finds nothing in the stacks AutoRemediation makes.
 *
 * The other tests synthesize with it off (test/support/jest-setup.js sets CDK_VALIDATION=false:
 * its rule engine is most of a synth's CPU and the template assertions do not read its report);
 * here it is on, as in a user's `cdk synth`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { ACCOUNT, demoFunctions, ensureHandlerAssets, importedFunctions, REGION } from './helpers';
import { Approval, AutoRemediation, Diagnosis } from '../../src';

jest.setTimeout(300_000);

/** validation-report.json in the cloud assembly (plugins that found nothing are left out). */
interface ValidationReport {
  readonly pluginReports?: Array<{
    readonly pluginName?: string;
    readonly violations?: Array<{
      readonly ruleName?: string;
      readonly severity?: string;
      readonly description?: string;
      readonly violatingConstructs?: Array<{ readonly constructPath?: string }>;
    }>;
  }>;
}

/** Synthesize with the built-in validation on; returns what its report lists, one line per finding and construct. */
function validationFindings(build: (stack: Stack) => void): string[] {
  const saved = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  const outdir = mkdtempSync(path.join(tmpdir(), 'cfn-validation-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Shop', { env: { account: ACCOUNT, region: REGION } });
    build(stack);
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
    return (report.pluginReports ?? []).flatMap((r) => (r.violations ?? []).flatMap((v) => (v.violatingConstructs ?? [{}]).map((c) =>
      `${r.pluginName}: ${v.severity} ${v.ruleName} ${c.constructPath ?? '?'}: ${v.description}`)));
  } finally {
    if (saved === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = saved;
    rmSync(outdir, { recursive: true, force: true });
  }
}

beforeAll(() => ensureHandlerAssets());

describe('CDK built-in CloudFormation validation of the stacks AutoRemediation makes', () => {
  test('GIVEN a resource CloudFormation would reject WHEN synthesized here THEN the validation reports it (it is on in this file)', () => {
    // It prints its findings as well; the report file is what is checked.
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const findings = validationFindings((stack) => {
        new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 99999 } });
      });
      expect(findings).toEqual([expect.stringMatching(/^CloudFormation Validate: warning F3034 Shop\/Queue: VisibilityTimeout: 99999 is greater than the maximum of 43200/)]);
    } finally {
      printed.mockRestore();
    }
  });

  test('GIVEN functions, e-mail, approval and a Bedrock model WHEN synthesized THEN it finds nothing', () => {
    const result = validationFindings((stack) => {
      const [orders, thumbnails] = demoFunctions(stack, 2, Duration.seconds(30));
      new AutoRemediation(stack, 'AutoRemediation', {
        functions: [orders, thumbnails],
        policy: { maxMemoryMb: 3008, cooldown: Duration.minutes(30) },
        diagnosis: Diagnosis.bedrockModel('us.anthropic.claude-3-5-haiku-20241022-v1:0'),
        approval: Approval.forFunctions([orders]),
        notificationEmails: ['oncall@example.com'],
      });
    });
    expect(result).toEqual([]);
  });

  test('GIVEN 200 imported functions (nested stacks of alarms, rights by tag) WHEN synthesized THEN it finds nothing in any template', () => {
    const result = validationFindings((stack) => {
      new AutoRemediation(stack, 'AutoRemediation', { functions: importedFunctions(stack, 200) });
    });
    expect(result).toEqual([]);
  });
});
