import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { builtinModules } from 'module';
import { tmpdir } from 'os';
import * as path from 'path';

// The command line as the package ships it: assets/cli/lambda-remediation.js, built by the bundle
// step that `npm test` runs first (scripts/cli-bundle/bundle.js).
const ROOT = path.join(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'assets', 'cli', 'lambda-remediation.js');

/** Run the bundle from a folder outside the repository, with an empty AWS configuration. */
function cli(...args: string[]) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'cli-bundle-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: cwd, AWS_CONFIG_FILE: path.join(cwd, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, 'none'), AWS_EC2_METADATA_DISABLED: 'true' };
  return spawnSync(process.execPath, [BUNDLE, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
}

describe('the bundled command line (the package bin)', () => {
  test('the package bin is the bundle, and the bundle requires only Node.js, the peer dependencies and the optional IAM evaluator', () => {
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin).toEqual({ 'lambda-remediation': 'assets/cli/lambda-remediation.js' });
    const code = readFileSync(BUNDLE, 'utf8');
    const required = new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));
    // Strings that merely look like requires: code that ajv and the SDK print, never run.
    const inText = ['ajv/dist/runtime/validation_error', 'ajv/dist/runtime/uri', 'ajv/dist/runtime/ucs2length', 'ajv/dist/runtime/equal', 'ajv-formats/dist/formats', '@aws-sdk/signature-v4-crt'];
    const allowed = (m: string) => builtinModules.includes(m.replace(/^node:/, '')) || builtinModules.includes(m.replace(/^node:/, '').split('/')[0])
      || /^aws-cdk-lib(\/|$)/.test(m) || m === 'constructs' || m === '@cloud-copilot/iam-simulate' || inText.includes(m);
    expect([...required].filter((m) => !allowed(m))).toEqual([]);
    expect(code).not.toMatch(/require\("(dynalite|aws-local-stepfunctions|@aws-lambda-powertools\/[a-z]+|@aws-sdk\/client-[a-z-]+)"\)/);
  });

  test('diagnose --samples: one line per sample, each naming its file', () => {
    const r = cli('diagnose', '--samples');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => path.basename(l.file))).toEqual(['code-error-python.json', 'downstream-timeout-nodejs.json', 'gc-pressure-duration.json', 'node-heap-oom.json', 'oom-killed-python.json', 'prompt-injection.json']);
    expect(lines[0].file).toBe(path.join(ROOT, 'samples', 'code-error-python.json'));
  });

  test('diagnose --function without credentials or region: two clear lines, exit 2, no stack trace, no SDK warning', () => {
    const r = cli('diagnose', '--function', 'x');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^lambda-remediation diagnose: no AWS credentials found \(.+\): sign in with 'aws sso login'/),
      'lambda-remediation diagnose: no AWS region: pass --region (for example --region eu-west-1) or set AWS_REGION',
    ]);
  });

  test('simulate --list: the scenarios that come with the package', () => {
    const r = cli('simulate', '--list');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toContain('oom-recovered');
  });
});
