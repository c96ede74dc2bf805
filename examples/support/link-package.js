// Lets the example run from a clone of this repository exactly as it would in an app:
//
//   import { AutoRemediation } from 'lambda-auto-remediation';
//
// ts-node loads this file first (examples/tsconfig.json, "ts-node.require"). It
// 1. resolves the package name to this repository's sources (src/index.ts), and
// 2. builds the handler bundles the constructs deploy (assets/, `npx projen bundle`, the step the
//    tests run too) when they are missing or their sources changed (scripts/stale-bundles.js),
//    so that `cdk synth` works right after `npm ci`.
// An app that installs the package from npm needs neither: the package ships its bundles.
const { spawnSync } = require('child_process');
const Module = require('module');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const PACKAGE = 'lambda-auto-remediation';

const { staleBundles } = require('../../scripts/stale-bundles');

const why = staleBundles();
if (why) {
  process.stderr.write(`examples: ${why}; building the bundles (npx projen bundle)...\n`);
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const r = spawnSync(npx, ['projen', 'bundle'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0) {
    process.stderr.write(`examples: 'npx projen bundle' failed (exit ${r.status}); run it in ${root} and look at its output\n`);
    process.exit(1);
  }
}

const entry = path.join(root, 'src', 'index.ts');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === PACKAGE ? entry : resolveFilename.call(this, request, ...rest);
};
