#!/usr/bin/env node
/*
 * Bundles every Lambda handler (src/**\/*.lambda.ts) into assets/<folder>/<name>.lambda/index.js,
 * the code the constructs deploy: one esbuild build with all the handlers as entry points, with
 * the options of projen's per-handler `bundle:<folder>/<name>.lambda` tasks (node22, minified,
 * names kept), which stay for building one handler. One build parses the AWS SDK and the shared
 * modules once instead of once per handler: the bundles are the same, the CPU time a fraction.
 */
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');

function handlersUnder(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) handlersUnder(p, out);
    else if (entry.name.endsWith('.lambda.ts')) out.push(p);
  }
  return out;
}

const entryPoints = Object.fromEntries(handlersUnder(src).sort().map((file) => [
  // assets/diagnosis/collect.lambda/index.js for src/diagnosis/collect.lambda.ts
  path.join(path.relative(src, file).replace(/\.ts$/, ''), 'index'),
  file,
]));

esbuild.build({
  entryPoints,
  outdir: path.join(root, 'assets'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  tsconfig: path.join(root, 'tsconfig.dev.json'),
  minify: true,
  keepNames: true,
  logLevel: 'warning',
}).then(() => {
  console.log(`${Object.keys(entryPoints).length} handler bundles written under assets/`);
}, () => {
  process.exitCode = 1;
});
