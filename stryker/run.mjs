/**
 * `npm run mutation [-- --group <name>] [stryker options]`: runs Stryker once per group of
 * stryker.config.mjs (all groups, or the one named), then merges the groups' JSON reports into
 * reports/mutation/mutation.json (Stryker's mutation-testing-report-schema) and prints the score
 * per module and overall. Other options go to Stryker (e.g. `--concurrency 1`). Each group keeps
 * an incremental file, so a re-run tests only the mutants whose code or covering tests changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUPS } from './groups.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, 'reports', 'mutation');
const groups = GROUPS;

const args = process.argv.slice(2);
const selected = [];
const forwarded = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--group') {
    const g = args[++i];
    if (!groups[g]) {
      console.error(`unknown group '${g}': one of ${Object.keys(groups).join(', ')}`);
      process.exit(2);
    }
    selected.push(g);
  } else {
    forwarded.push(args[i]);
  }
}
const toRun = selected.length > 0 ? selected : Object.keys(groups);

let failed = false;
for (const g of toRun) {
  const started = Date.now();
  retestSurvivors(g);
  console.log(`\n=== mutation group ${g}: ${groups[g].mutate.length} range(s), tests ${groups[g].tests.join(', ')}`);
  const r = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...forwarded], {
    cwd: root, stdio: 'inherit', env: { ...process.env, MUTATION_GROUP: g },
  });
  console.log(`=== mutation group ${g} ended (exit ${r.status}) after ${Math.round((Date.now() - started) / 60000)} min`);
  if (r.status !== 0) failed = true;
}

merge();
process.exit(failed ? 1 : 0);

/**
 * Drop the surviving and uncovered mutants from a group's incremental file, so that a re-run tests
 * them again: Stryker reuses a survivor's result when the tests that covered it did not change,
 * even when a new test now covers it (seen here: a survivor killed by a test added after the run
 * was reported as surviving again). Killed mutants keep their results.
 */
function retestSurvivors(g) {
  const file = join(reports, 'groups', `${g}.incremental.json`);
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  let dropped = 0;
  for (const f of Object.values(report.files ?? {})) {
    const kept = f.mutants.filter((m) => m.status !== 'Survived' && m.status !== 'NoCoverage');
    dropped += f.mutants.length - kept.length;
    f.mutants = kept;
  }
  writeFileSync(file, JSON.stringify(report));
  if (dropped > 0) console.log(`group ${g}: ${dropped} surviving or uncovered mutant(s) will be tested again`);
}

/** Merge the groups' reports (mutant and test ids prefixed by the group) and print the scores. */
function merge() {
  const merged = { schemaVersion: '2', thresholds: { high: 90, low: 80 }, projectRoot: root, files: {}, testFiles: {} };
  const perGroup = {};
  for (const g of Object.keys(groups)) {
    const file = join(reports, 'groups', `${g}.json`);
    if (!existsSync(file)) {
      console.warn(`no report of group ${g} yet (npm run mutation -- --group ${g})`);
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    const id = (x) => `${g}:${x}`;
    for (const [path, f] of Object.entries(report.files)) {
      const into = (merged.files[path] ??= { language: f.language, source: f.source, mutants: [] });
      for (const m of f.mutants) {
        into.mutants.push({ ...m, id: id(m.id), ...(m.coveredBy ? { coveredBy: m.coveredBy.map(id) } : {}), ...(m.killedBy ? { killedBy: m.killedBy.map(id) } : {}) });
      }
    }
    for (const [path, t] of Object.entries(report.testFiles ?? {})) {
      const into = (merged.testFiles[path] ??= { ...(t.source ? { source: t.source } : {}), tests: [] });
      into.tests.push(...t.tests.map((x) => ({ ...x, id: id(x.id) })));
    }
    perGroup[g] = count(Object.values(report.files).flatMap((f) => f.mutants));
  }
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, 'mutation.json'), JSON.stringify(merged));

  const rows = [];
  for (const [path, f] of Object.entries(merged.files).sort(([a], [b]) => a.localeCompare(b))) rows.push([path, count(f.mutants)]);
  for (const [g, c] of Object.entries(perGroup)) rows.push([`group ${g}`, c]);
  rows.push(['all', count(Object.values(merged.files).flatMap((f) => f.mutants))]);
  const lines = [
    'mutation score (killed + timeout) / (killed + timeout + survived + no coverage); ignored and compile errors not counted',
    `${'module'.padEnd(44)} ${'score'.padStart(7)} ${'killed'.padStart(7)} ${'timeout'.padStart(8)} ${'survived'.padStart(9)} ${'no cov'.padStart(7)} ${'ignored'.padStart(8)} ${'compile'.padStart(8)}`,
    ...rows.map(([name, c]) => `${name.padEnd(44)} ${c.score.padStart(7)} ${String(c.Killed).padStart(7)} ${String(c.Timeout).padStart(8)} ${String(c.Survived).padStart(9)} ${String(c.NoCoverage).padStart(7)} ${String(c.Ignored).padStart(8)} ${String(c.CompileError).padStart(8)}`),
  ];
  const survivors = Object.entries(merged.files).flatMap(([path, f]) => f.mutants
    .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
    .map((m) => `${path}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${String(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)}`));
  const text = `${lines.join('\n')}\n\nsurvivors (${survivors.length}):\n${survivors.join('\n')}\n`;
  writeFileSync(join(reports, 'summary.txt'), text);
  console.log(`\n${text}\nreport: reports/mutation/mutation.json`);
}

function count(mutants) {
  const c = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0, Pending: 0 };
  for (const m of mutants) c[m.status] = (c[m.status] ?? 0) + 1;
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return { ...c, score: valid === 0 ? 'n/a' : `${(Math.floor((detected / valid) * 10000) / 100).toFixed(2)}` };
}
