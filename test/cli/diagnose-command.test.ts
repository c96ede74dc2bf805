import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { bundledSampleFiles, bundledSamplesDir } from '../../src/cli/diagnose-command';
import { CliIo } from '../../src/cli/io';
import { run } from '../../src/cli/main';
import { diagnose, parseDiagnosisRequest } from '../../src/core';
import { resolvePolicy } from '../../src/core/policy';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');
const OOM = path.join(SAMPLES, 'oom-killed-python.json');
const INJECTION = path.join(SAMPLES, 'prompt-injection.json');
const GC = path.join(SAMPLES, 'gc-pressure-duration.json');

interface Captured {
  readonly io: CliIo;
  readonly out: () => string;
  readonly err: () => string;
  readonly lines: () => Array<Record<string, unknown>>;
}

function capture(stdinText?: string): Captured {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    stdin: stdinText === undefined ? undefined : async () => stdinText,
  };
  return {
    io,
    out: () => out,
    err: () => err,
    lines: () => out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)),
  };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'cli-diagnose-'));
function tmpFile(name: string, content: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

describe('lambda-remediation diagnose FILE...', () => {
  test('prints one compact JSON result per file, in the order the files were given', async () => {
    // GIVEN three sample requests given out of alphabetical order
    const c = capture();
    // WHEN
    const code = await run(['diagnose', INJECTION, OOM, GC], c.io);
    // THEN
    expect(code).toBe(0);
    expect(c.lines().map((l) => l.functionName)).toEqual(['guestbook-1', 'ingest-2', 'pricing-5']);
    // compact: exactly one line per input, no pretty printing
    expect(c.out().split('\n')).toHaveLength(4);
    expect(c.err()).toBe('');
  });

  test('prints what the diagnosis core decides for the request, field for field', async () => {
    // GIVEN the out-of-memory sample
    const c = capture();
    // WHEN
    await run(['diagnose', OOM], c.io);
    // THEN the line names the file, then is the core's result under the default policy
    const expected = diagnose(parseDiagnosisRequest(JSON.parse(readFileSync(OOM, 'utf8'))));
    expect(c.lines()).toEqual([{ file: OOM, ...JSON.parse(JSON.stringify(expected)) }]);
    expect(Object.keys(c.lines()[0])[0]).toBe('file');
  });

  test('reads one request from standard input when the file is -', async () => {
    // GIVEN the prompt-injection sample on standard input
    const c = capture(readFileSync(INJECTION, 'utf8'));
    // WHEN
    const code = await run(['diagnose', OOM, '-'], c.io);
    // THEN stdin keeps its place among the inputs, named -
    expect(code).toBe(0);
    expect(c.lines().map((l) => [l.file, l.functionName])).toEqual([[OOM, 'ingest-2'], ['-', 'guestbook-1']]);
  });

  test('fails when a file is missing: names it, still diagnoses the others, exit code 2', async () => {
    // GIVEN a missing file between two good ones
    const missing = path.join(tmp, 'no-such-incident.json');
    const c = capture();
    // WHEN
    const code = await run(['diagnose', OOM, missing, GC], c.io);
    // THEN
    expect(code).toBe(2);
    const lines = c.lines();
    expect(lines).toHaveLength(3);
    expect(lines[0].functionName).toBe('ingest-2');
    expect(lines[1]).toEqual({ file: missing, error: `file not found: ${missing}` });
    expect(lines[2].functionName).toBe('pricing-5');
  });

  test('fails when a file is not JSON: the error line names the file and the parse problem', async () => {
    // GIVEN a truncated JSON file
    const broken = tmpFile('broken.json', '{"functionName": "orders", "logs": [');
    const c = capture();
    // WHEN
    const code = await run(['diagnose', broken, OOM], c.io);
    // THEN
    expect(code).toBe(2);
    const [first, second] = c.lines();
    expect(first.file).toBe(broken);
    expect(first.error).toMatch(new RegExp(`^malformed JSON in ${escape(broken)}: `));
    expect(second.functionName).toBe('ingest-2');
  });

  test('fails when the JSON is not a valid request: the error names the bad field', async () => {
    // GIVEN a request whose functionName is a number
    const request = JSON.parse(readFileSync(OOM, 'utf8'));
    const invalid = tmpFile('invalid.json', JSON.stringify({ ...request, functionName: 42 }));
    const c = capture();
    // WHEN
    const code = await run(['diagnose', invalid], c.io);
    // THEN
    expect(code).toBe(2);
    const [line] = c.lines();
    expect(line.file).toBe(invalid);
    expect(line.error).toMatch(/^invalid diagnosis request in .*invalid\.json: .*functionName/);
  });

  test('fails when standard input is not JSON, naming it -', async () => {
    const c = capture('REPORT RequestId: 1 Duration: 2 ms');
    const code = await run(['diagnose', '-'], c.io);
    expect(code).toBe(2);
    expect(c.lines()[0]).toMatchObject({ file: '-', error: expect.stringMatching(/^malformed JSON in -: /) });
  });

  test('ignores the label of a labelled corpus file', async () => {
    // GIVEN the OOM sample with a label that claims the opposite
    const request = JSON.parse(readFileSync(OOM, 'utf8'));
    const labelled = tmpFile('labelled.json', JSON.stringify({ ...request, label: { isMemoryIssue: false, shouldAct: false } }));
    const c = capture();
    // WHEN both are diagnosed
    await run(['diagnose', labelled, OOM], c.io);
    // THEN the label changes nothing
    const [{ file: f1, ...withLabel }, { file: f2, ...without }] = c.lines();
    expect([f1, f2]).toEqual([labelled, OOM]);
    expect(withLabel).toEqual(without);
  });

  test('--samples diagnoses the bundled sample incidents, sorted by file name, each line naming its file', async () => {
    const c = capture();
    const code = await run(['diagnose', '--samples'], c.io);
    expect(code).toBe(0);
    expect(bundledSamplesDir()).toBe(SAMPLES);
    expect(c.lines().map((l) => [path.basename(String(l.file)), l.functionName])).toEqual([
      ['code-error-python.json', 'code-svc-2'],
      ['downstream-timeout-nodejs.json', 'payments-capture'],
      ['gc-pressure-duration.json', 'pricing-5'],
      ['node-heap-oom.json', 'pdf-merge'],
      ['oom-killed-python.json', 'ingest-2'],
      ['prompt-injection.json', 'guestbook-1'],
    ]);
    expect(bundledSampleFiles()).toEqual(c.lines().map((l) => l.file));
  });

  test('every sample is what its name says: runtime and diagnosis', async () => {
    // GIVEN the samples, each named <what>-<runtime family> or after its evidence
    const c = capture();
    await run(['diagnose', '--samples'], c.io);
    const byFile = Object.fromEntries(c.lines().map((l) => [path.basename(String(l.file)), l]));
    const runtimeOf = (file: string) => JSON.parse(readFileSync(path.join(SAMPLES, file), 'utf8')).functionConfig.runtime as string;
    // THEN
    expect(runtimeOf('code-error-python.json')).toMatch(/^python/);
    expect(byFile['code-error-python.json']).toMatchObject({ isMemoryIssue: false, category: 'CODE_ERROR' });
    expect(runtimeOf('downstream-timeout-nodejs.json')).toMatch(/^nodejs/);
    expect(byFile['downstream-timeout-nodejs.json']).toMatchObject({ isMemoryIssue: false, category: 'DOWNSTREAM_TIMEOUT' });
    expect(runtimeOf('node-heap-oom.json')).toMatch(/^nodejs/);
    expect(byFile['node-heap-oom.json']).toMatchObject({ isMemoryIssue: true, category: 'OUT_OF_MEMORY', recommendedAction: 'INCREASE_MEMORY' });
    expect(runtimeOf('oom-killed-python.json')).toMatch(/^python/);
    expect(byFile['oom-killed-python.json']).toMatchObject({ isMemoryIssue: true, category: 'OUT_OF_MEMORY', recommendedAction: 'INCREASE_MEMORY' });
    expect(byFile['gc-pressure-duration.json']).toMatchObject({ isMemoryIssue: true, category: 'MEMORY_PRESSURE' });
    expect(byFile['prompt-injection.json']).toMatchObject({ isMemoryIssue: false, recommendedAction: 'NO_ACTION' });
  });

  test('--max-memory caps the recommended size', async () => {
    // GIVEN the OOM sample (256 MB) and a policy maximum of 300 MB
    const c = capture();
    // WHEN
    await run(['diagnose', '--max-memory', '300', OOM], c.io);
    // THEN the result is the core's answer under that policy, and never above 300 MB
    const [line] = c.lines();
    const request = parseDiagnosisRequest(JSON.parse(readFileSync(OOM, 'utf8')));
    expect(line).toEqual({ file: OOM, ...JSON.parse(JSON.stringify(diagnose(request, resolvePolicy({ maxMemoryMb: 300 })))) });
    expect(line.recommendedMemorySize as number).toBeLessThanOrEqual(300);
  });

  test('--min-confidence=N maps onto the policy minimum confidence', async () => {
    const c = capture();
    await run(['diagnose', '--min-confidence=1', OOM], c.io);
    const request = parseDiagnosisRequest(JSON.parse(readFileSync(OOM, 'utf8')));
    expect(c.lines()[0]).toEqual({ file: OOM, ...JSON.parse(JSON.stringify(diagnose(request, resolvePolicy({ minConfidence: 1 })))) });
  });

  test('fails when --min-confidence is not a number', async () => {
    const c = capture();
    const code = await run(['diagnose', '--min-confidence', 'high', OOM], c.io);
    expect(code).toBe(2);
    expect(c.err()).toContain("option --min-confidence needs a number, got 'high'");
    expect(c.out()).toBe('');
  });

  test('fails when --max-memory is outside the policy range, naming the value', async () => {
    const c = capture();
    const code = await run(['diagnose', '--max-memory', '64', OOM], c.io);
    expect(code).toBe(2);
    expect(c.err()).toContain('maxMemoryMb must be at least 128, got 64');
  });

  test('fails when an option is unknown, naming it', async () => {
    const c = capture();
    const code = await run(['diagnose', '--verbose', OOM], c.io);
    expect(code).toBe(2);
    expect(c.err()).toContain("unknown option '--verbose' for diagnose");
    expect(c.out()).toBe('');
  });

  test('fails when no input is given', async () => {
    const c = capture();
    const code = await run(['diagnose'], c.io);
    expect(code).toBe(2);
    expect(c.err()).toContain('no input');
  });

  test('--help explains the diagnose usage and options', async () => {
    const c = capture();
    const code = await run(['diagnose', '--help'], c.io);
    expect(code).toBe(0);
    for (const word of ['--samples', '--min-confidence', '--max-memory', '--function', '{"file": ..., "error": ...}']) {
      expect(c.out()).toContain(word);
    }
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
