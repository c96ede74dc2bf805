#!/usr/bin/env node
/**
 * `npm test` after the bundles: jest, eslint (projen's `eslint` task) and the type check of tests,
 * benchmarks, examples and the projenrc (`typecheck`), all three side by side. Run one after the
 * other, a core would sit idle at the end (eslint and the type check are one process each) and
 * while jest's last test file runs alone; side by side, the machine stays busy and the checks end
 * with the tests. Arguments go to jest (`npm test -- --maxWorkers=2 test/handlers`).
 *
 * Jest's output streams as it runs; eslint's and the type check's are printed whole once jest has
 * ended (so that the three never interleave). The exit status is the first failure's.
 */
const { spawn } = require('node:child_process');

/** Run `npx cmd...`; its output streamed (live) or kept for later. */
function run(name, args, live) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npx', args, { stdio: ['ignore', live ? 'inherit' : 'pipe', live ? 'inherit' : 'pipe'] });
    const out = [];
    if (!live) {
      child.stdout.on('data', (d) => out.push(d));
      child.stderr.on('data', (d) => out.push(d));
    }
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (code, signal) => {
      const status = code ?? 1;
      resolve({ name, status, output: Buffer.concat(out), summary: `== ${name}: ${status === 0 ? 'passed' : `FAILED (exit ${code ?? signal})`} in ${Math.round((Date.now() - started) / 1000)} s` });
    });
  });
}

async function main() {
  const jest = run('jest', ['jest', '--passWithNoTests', '--updateSnapshot', ...process.argv.slice(2)], true);
  const checks = [run('eslint', ['projen', 'eslint'], false), run('typecheck', ['projen', 'typecheck'], false)];
  const results = [await jest];
  for (const c of checks) {
    const r = await c;
    process.stdout.write(r.output);
    results.push(r);
  }
  for (const r of results) console.log(r.summary);
  process.exitCode = results.find((r) => r.status !== 0)?.status ?? 0;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
