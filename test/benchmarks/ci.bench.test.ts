import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ciRecordFiles, CiRunRecord, describeCiRun, lastCiRun } from '../../benchmarks/ci.bench';

const run = (seconds: number, commit: string): CiRunRecord => ({
  seconds, commit, finishedAt: '2026-12-02T05:00:00.000Z', cores: 2, load: 3.5, steps: { 'npm ci': 41, 'npm test (the README\'s test command)': seconds - 41 },
});

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function files() {
  const root = mkdtempSync(join(tmpdir(), 'ci-bench-'));
  roots.push(root);
  mkdirSync(join(root, '.ci'));
  return ciRecordFiles(root, { XDG_CACHE_HOME: join(root, 'cache') });
}

describe('the CI time benchmark', () => {
  test('GIVEN no record THEN it says how to make one', () => {
    expect(describeCiRun(lastCiRun(files()))).toEqual([expect.stringMatching(/^no CI run recorded on this machine: run \.ci\/run in a fresh clone/)]);
  });

  test('GIVEN only the machine\'s run log THEN its latest run, against the 8-minute target', () => {
    const f = files();
    mkdirSync(join(f.log, '..'), { recursive: true });
    writeFileSync(f.log, `${JSON.stringify(run(600, 'aaaaaaaaaaaaaaaa'))}\n${JSON.stringify(run(431, 'bbbbbbbbbbbbbbbb'))}\n`);
    const lines = describeCiRun(lastCiRun(f));
    expect(lines[0]).toBe('.ci/run: 7 min 11 s (target under 8 min: met)');
    expect(lines[1]).toBe('  commit bbbbbbbbbbbb, finished 2026-12-02T05:00:00.000Z, 2 cores, load 3.5 at the end');
    expect(lines).toContain('    0 min 41 s  npm ci');
    expect(lines[lines.length - 1]).toBe(`  (recorded in ${f.log} (latest of 2))`);
  });

  test('GIVEN CPU times THEN the CPU split and what the run takes with a core per pipeline', () => {
    const f = files();
    writeFileSync(f.local, JSON.stringify({ ...run(1500, 'dddddddddddddddd'), passed: false, cpuSeconds: 900, pipelineCpuSeconds: { test: 400, build: 350 } }));
    const lines = describeCiRun(lastCiRun(f));
    expect(lines[0]).toBe('.ci/run: 25 min 00 s, a FAILED run (target under 8 min: NOT met)');
    expect(lines[2]).toBe('  CPU 15 min 00 s: test pipeline 6 min 40 s, build pipeline 5 min 50 s, the rest 2 min 30 s');
    expect(lines[3]).toBe('  with a core for each pipeline and nothing else running: about 9 min 10 s (over the target)');
  });

  test('GIVEN this checkout\'s record THEN it wins over the log, and a slow run is NOT met', () => {
    const f = files();
    mkdirSync(join(f.log, '..'), { recursive: true });
    writeFileSync(f.log, `${JSON.stringify(run(300, 'aaaaaaaaaaaaaaaa'))}\n`);
    writeFileSync(f.local, JSON.stringify(run(500, 'cccccccccccccccc')));
    expect(describeCiRun(lastCiRun(f))[0]).toBe('.ci/run: 8 min 20 s (target under 8 min: NOT met)');
  });
});
