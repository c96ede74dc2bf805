#!/usr/bin/env node
/**
 * The checks `npm test` runs after jest, side by side: eslint (projen's `eslint` task) and the
 * type check of tests, benchmarks, examples and the projenrc (`typecheck`). Each is one process on
 * one core, and jest has ended by then, so they share the machine instead of queueing. Each
 * one's output is printed whole when it ends; the exit status is the first failure's.
 */
const { spawn } = require('node:child_process');

const tasks = ['eslint', 'typecheck'];
const runs = tasks.map((task) => new Promise((resolve) => {
  const started = Date.now();
  const child = spawn('npx', ['projen', task], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => out.push(d));
  child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
  child.on('close', (code, signal) => {
    const status = code ?? 1;
    process.stdout.write(Buffer.concat(out));
    console.log(`== ${task}: ${status === 0 ? 'passed' : `FAILED (exit ${code ?? signal})`} in ${Math.round((Date.now() - started) / 1000)} s`);
    resolve(status);
  });
}));

Promise.all(runs).then((codes) => {
  process.exitCode = codes.find((c) => c !== 0) ?? 0;
});
