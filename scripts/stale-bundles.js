#!/usr/bin/env node
/*
 * Are the esbuild bundles under assets/ (the handlers the constructs deploy, and the command
 * line) older than what they are built from? Make's rule: a bundle is stale when it is missing,
 * or when any input (src/, the lockfile, the bundling settings) changed after the oldest bundle.
 *
 *   node scripts/stale-bundles.js    exit 0 and say why when the bundles must be built, else exit 1
 *
 * The `bundle` task runs only when this says so (its projen condition), so `npm test`, the build
 * and the example do not rebuild bundles that are current. BUNDLE=always forces a build.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

function filesUnder(dir, test, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(p, test, out);
    else if (test(entry.name)) out.push(p);
  }
  return out;
}

/** The reason the bundles must be built, or undefined when they are current. */
function staleBundles() {
  if (process.env.BUNDLE === 'always') return 'BUNDLE=always';
  const src = path.join(root, 'src');
  const outputs = [
    ...filesUnder(src, (n) => n.endsWith('.lambda.ts')).map((h) => path.join(root, 'assets', path.relative(src, h).replace(/\.ts$/, ''), 'index.js')),
    path.join(root, 'assets', 'cli', 'lambda-remediation.js'),
  ];
  const missing = outputs.filter((o) => !fs.existsSync(o));
  if (missing.length > 0) return `${missing.length} of ${outputs.length} bundles are missing`;
  const oldest = Math.min(...outputs.map((o) => fs.statSync(o).mtimeMs));
  const inputs = [
    ...filesUnder(src, () => true),
    ...filesUnder(path.join(root, 'scripts', 'cli-bundle'), () => true),
    ...['package-lock.json', 'tsconfig.dev.json', path.join('.projen', 'tasks.json')].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f)),
  ];
  const changed = inputs.filter((f) => fs.statSync(f).mtimeMs > oldest);
  if (changed.length > 0) return `${path.relative(root, changed[0])}${changed.length > 1 ? ` and ${changed.length - 1} more` : ''} changed since the last bundle`;
  return undefined;
}

module.exports = { staleBundles };

if (require.main === module) {
  const why = staleBundles();
  if (why) {
    process.stderr.write(`bundles: ${why}; building\n`);
    process.exit(0);
  }
  process.stderr.write('bundles: current (BUNDLE=always rebuilds them)\n');
  process.exit(1);
}
