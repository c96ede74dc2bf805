import { spawnSync } from 'child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { builtinModules } from 'module';
import { tmpdir } from 'os';
import * as path from 'path';
import { HANDLERS } from '../../src/workflow/contract';

// The command line as the package ships it: assets/cli/lambda-remediation.js, built by the bundle
// step that `npm test` runs first (scripts/cli-bundle/bundle.js).
const ROOT = path.join(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'assets', 'cli', 'lambda-remediation.js');

jest.setTimeout(300_000);

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

/** A new folder outside the repository, removed after the tests. */
function newFolder(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** An environment without AWS configuration (and no instance metadata to fall back on). */
function userEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'), AWS_EC2_METADATA_DISABLED: 'true' };
}

/** Run the bundle from a folder outside the repository, with an empty AWS configuration. */
function cli(...args: string[]) {
  const cwd = newFolder('cli-bundle-');
  return spawnSync(process.execPath, [BUNDLE, ...args], { cwd, env: userEnv(cwd), encoding: 'utf8', timeout: 60_000 });
}

/** The files `npm pack` puts in the tarball (package.json `files`, `.npmignore`). */
function packedFiles(): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed (exit ${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
}

/**
 * The package as npm installs it into an app, without the registry: the files of the tarball in
 * node_modules/lambda-auto-remediation, the peer dependencies (aws-cdk-lib, constructs) linked
 * from this repository, and the bin linked in node_modules/.bin. Nothing else: the IAM evaluator,
 * a devDependency here, is not installed. lib/ (the jsii output, which the build compiles while
 * the tests run) is left out: the command line never loads it (the bundle requires only Node.js
 * built-ins and the peers, as the first test checks).
 */
function installedApp(files: string[]): string {
  const app = newFolder('cli-installed-');
  const pkg = path.join(app, 'node_modules', 'lambda-auto-remediation');
  for (const f of files.filter((x) => !x.startsWith('lib/'))) {
    mkdirSync(path.dirname(path.join(pkg, f)), { recursive: true });
    copyFileSync(path.join(ROOT, f), path.join(pkg, f));
  }
  for (const peer of ['aws-cdk-lib', 'constructs']) symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(app, 'node_modules', peer), 'dir');
  const bin = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')).bin as Record<string, string>;
  mkdirSync(path.join(app, 'node_modules', '.bin'));
  for (const [name, target] of Object.entries(bin)) {
    // npm makes each bin executable and links it in node_modules/.bin.
    chmodSync(path.join(pkg, target), 0o755);
    symlinkSync(path.join('..', 'lambda-auto-remediation', target), path.join(app, 'node_modules', '.bin', name));
  }
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '0.0.0', private: true, dependencies: { 'lambda-auto-remediation': '*' } }));
  return app;
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

  test('the packed package installed in an app: the tarball holds the bin, the handler bundles, samples and scenarios; `lambda-remediation simulate` runs the default scenario, IAM evaluation off', () => {
    const files = packedFiles();
    expect(files).toEqual(expect.arrayContaining([
      'assets/cli/lambda-remediation.js',
      'assets/cli/THIRD-PARTY-LICENSES.txt',
      ...Object.values(HANDLERS).map((h) => `${h.asset}/index.js`),
      'samples/node-heap-oom.json',
      'scenarios/oom-recovered.json',
      'scenarios/README.md',
    ]));
    const app = installedApp(files);
    const r = spawnSync(path.join(app, 'node_modules', '.bin', 'lambda-remediation'), ['simulate'], { cwd: app, env: userEnv(app), encoding: 'utf8', timeout: 240_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^== oom-recovered: PASS/m);
    expect(r.stdout).toContain('orders-api: 512 -> 768 MB');
    expect(r.stdout).toContain('IAM evaluation: off (install @cloud-copilot/iam-simulate to turn it on)');
    expect(r.stdout).toContain('1/1 scenario(s) met their expectations');
  });
});
