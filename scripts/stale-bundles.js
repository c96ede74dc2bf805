#!/usr/bin/env node
/*
 * Are the esbuild bundles under assets/ (the handlers the constructs deploy, and the command
 * line) current? They are when every bundle exists and the contents of their inputs (src/, the
 * bundling script, the lockfile, tsconfig.dev.json and the task definitions) are what they were
 * at the last bundle. Contents, not times: `npx projen` rewrites generated files unchanged.
 *
 *   node scripts/stale-bundles.js           exit 0 and say why when the bundles must be built, else exit 1
 *   node scripts/stale-bundles.js --record  remember the inputs (the last step of the bundle task)
 *
 * The `bundle` task runs only when this says so (its projen condition), so `npm test`, the build
 * and the example do not rebuild current bundles. BUNDLE=always forces a build.
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const RECORD = path.join(root, '.tmp', 'bundle-inputs.json');

function filesUnder(dir, test, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(p, test, out);
    else if (test(entry.name)) out.push(p);
  }
  return out;
}

/** The bundles the bundle task writes. */
function outputs() {
  const src = path.join(root, 'src');
  return [
    ...filesUnder(src, (n) => n.endsWith('.lambda.ts')).map((h) => path.join(root, 'assets', path.relative(src, h).replace(/\.ts$/, ''), 'index.js')),
    path.join(root, 'assets', 'cli', 'lambda-remediation.js'),
  ];
}

/** sha256 of every input file, by path relative to the repository. */
function inputDigests() {
  const files = [
    ...filesUnder(path.join(root, 'src'), () => true),
    ...filesUnder(path.join(root, 'scripts', 'cli-bundle'), () => true),
    path.join(root, 'scripts', 'bundle-handlers.js'),
    ...['package-lock.json', 'tsconfig.dev.json', path.join('.projen', 'tasks.json')].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f)),
  ];
  return Object.fromEntries(files.map((f) => [path.relative(root, f), crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex')]).sort());
}

/** The reason the bundles must be built, or undefined when they are current. */
function staleBundles() {
  if (process.env.BUNDLE === 'always') return 'BUNDLE=always';
  const all = outputs();
  const missing = all.filter((o) => !fs.existsSync(o));
  if (missing.length > 0) return `${missing.length} of ${all.length} bundles are missing`;
  if (!fs.existsSync(RECORD)) return 'no record of what the bundles were built from';
  const before = JSON.parse(fs.readFileSync(RECORD, 'utf8'));
  const now = inputDigests();
  const changed = [...new Set([...Object.keys(before), ...Object.keys(now)])].filter((f) => before[f] !== now[f]).sort();
  if (changed.length > 0) return `${changed[0]}${changed.length > 1 ? ` and ${changed.length - 1} more` : ''} changed since the last bundle`;
  return undefined;
}

function record() {
  fs.mkdirSync(path.dirname(RECORD), { recursive: true });
  fs.writeFileSync(RECORD, JSON.stringify(inputDigests(), null, 1) + '\n');
}

module.exports = { staleBundles, record };

if (require.main === module) {
  if (process.argv[2] === '--record') {
    record();
    process.exit(0);
  }
  const why = staleBundles();
  if (why) {
    process.stderr.write(`bundles: ${why}; building\n`);
    process.exit(0);
  }
  process.stderr.write('bundles: current (BUNDLE=always rebuilds them)\n');
  process.exit(1);
}
