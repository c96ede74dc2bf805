import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo } from '../../src/cli/io';
import { iamEvaluationLine, iamEvaluatorInstalled } from '../../src/cli/optional-iam';
import { bundledScenarios, runSimulate } from '../../src/cli/simulate-command';

jest.setTimeout(300_000);

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('lambda-remediation simulate', () => {
  test('GIVEN --help THEN usage on stdout and exit 0', async () => {
    const io = capture();
    expect(await runSimulate(['--help'], io)).toBe(0);
    expect(io.out).toContain('usage: lambda-remediation simulate [--scenario NAME|FILE]... [--all] [--report FILE]');
  });

  test('GIVEN --list THEN every bundled scenario, one per line', async () => {
    const io = capture();
    expect(await runSimulate(['--list'], io)).toBe(0);
    expect(io.out.trim().split('\n')).toEqual(bundledScenarios());
    expect(bundledScenarios()).toEqual(expect.arrayContaining(['oom-recovered', 'alarm-storm', 'cooldown', 'daily-budget']));
  });

  test('fails when the scenario does not exist, naming it, with exit 2', async () => {
    const io = capture();
    expect(await runSimulate(['--scenario', 'no-such-incident'], io)).toBe(2);
    expect(io.err).toContain("no scenario 'no-such-incident'");
  });

  test('fails when --stack comes without --app, or --all with --app', async () => {
    const io = capture();
    expect(await runSimulate(['--stack', 'Orders'], io)).toBe(2);
    expect(io.err).toContain('--stack needs --app');
    expect(await runSimulate(['--app', 'cdk.out', '--all'], io)).toBe(2);
    expect(io.err).toContain('with --app, give --scenario FILE');
  });

  test('fails when an option is unknown or lacks its value', async () => {
    const io = capture();
    expect(await runSimulate(['--bogus'], io)).toBe(2);
    expect(io.err).toContain("unknown option '--bogus'");
    expect(await runSimulate(['--report'], io)).toBe(2);
    expect(io.err).toContain('option --report needs a value');
  });

  test('fails when a scenario file is malformed, naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'Bad Name', description: 'x', durationMinutes: 0, functions: [], expect: {} }));
    const io = capture();
    expect(await runSimulate(['--scenario', file], io)).toBe(2);
    expect(io.err).toContain("name must be kebab-case, got 'Bad Name'");
    expect(io.err).toContain('durationMinutes must be 1..1440, got 0');
  });

  test('GIVEN no scenario WHEN run THEN the default one: a timeline from failure to notification, exit 0 and a JSON report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const report = join(dir, 'report.json');
    const io = capture();
    // (as from the published package: the AGPL IAM evaluator is not installed)
    const code = await runSimulate(['--report', report], io, { iamEvaluatorInstalled: () => false });
    expect(io.err).toBe('');
    expect(io.out).toContain('\nIAM evaluation: off (install @cloud-copilot/iam-simulate to turn it on)\n');
    expect(code).toBe(0);
    expect(io.out).toContain('== oom-recovered: PASS');
    for (const milestone of ['first failure', 'alarm', 'collected', 'diagnosed+decided', 'repaired', 'verified', 'notified']) {
      expect(io.out).toMatch(new RegExp(`\\d\\d:\\d\\d:\\d\\d  ${milestone.replace('+', '\\+')}`));
    }
    expect(io.out).toContain('orders-api: 512 -> 768 MB; time to repair 2m 2s; to verified recovery 12m 2s');
    expect(io.out).toContain('1/1 scenario(s) met their expectations');
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.passed).toBe(true);
    expect(json.iamEvaluation).toBe('IAM evaluation: off (install @cloud-copilot/iam-simulate to turn it on)');
    const s = json.scenarios[0];
    expect(s.outcome).toBe('REPAIRED');
    expect(s.finalMemory).toEqual({ 'orders-api': 768 });
    expect(s.apiCalls.filter((c: any) => c.operation === 'UpdateFunctionConfiguration').map((c: any) => c.input)).toEqual([
      expect.objectContaining({ FunctionName: 'orders-api', MemorySize: 768 }),
    ]);
    // StepFunctions: the memory alarm that arrived during the repair is re-examined when its lock goes.
    expect(new Set(s.apiCalls.map((c: any) => c.service))).toEqual(new Set(['DynamoDB', 'CloudWatch', 'CloudWatchLogs', 'Lambda', 'SNS', 'EventBridge', 'StepFunctions']));
    expect(s.notifications.map((n: any) => n.json.type)).toEqual(['REPAIRED']);
    expect(s.records.some((r: any) => String(r.sk).startsWith('DIAGNOSIS#'))).toBe(true);
  });
});

describe('IAM evaluation is optional (the evaluator is AGPL-3.0 and never shipped)', () => {
  test('installed when its package resolves, not when it does not', () => {
    expect(iamEvaluatorInstalled(() => '/x/node_modules/@cloud-copilot/iam-simulate/index.js')).toBe(true);
    expect(iamEvaluatorInstalled(() => {
      throw Object.assign(new Error("Cannot find module '@cloud-copilot/iam-simulate'"), { code: 'MODULE_NOT_FOUND' });
    })).toBe(false);
    // this repository has it as a devDependency
    expect(iamEvaluatorInstalled()).toBe(true);
  });

  test('the report line says how to turn it on, and on only when every scenario was evaluated', () => {
    expect(iamEvaluationLine(false, [{ iamEvaluated: false }])).toBe('IAM evaluation: off (install @cloud-copilot/iam-simulate to turn it on)');
    expect(iamEvaluationLine(true, [{ iamEvaluated: true }, { iamEvaluated: true }])).toBe('IAM evaluation: on (@cloud-copilot/iam-simulate)');
    expect(iamEvaluationLine(true, [{ iamEvaluated: true }, {}])).toMatch(/^IAM evaluation: off \(/);
    expect(iamEvaluationLine(true, [])).toMatch(/^IAM evaluation: off \(/);
  });
});
