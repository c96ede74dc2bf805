// Mutation testing of the safety-critical modules: `npm run mutation` (slow: not part of CI).
// https://stryker-mutator.io/docs/stryker-js/configuration/
// The mutated code is listed by line range where a file mixes safety code with other code; the
// tests are the fast unit and handler tests that cover it (the simulation and synthesis suites
// would make a run take days on two cores). README "Mutation testing" lists the survivors.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  jest: {
    projectType: 'custom',
    // package.json's `jest` (projen's config) with the test files narrowed to those that cover the
    // mutated code; each mutant then runs only its related files, filtered to the covering tests.
    enableFindRelatedTests: true,
    config: {
      testMatch: [
        '<rootDir>/test/handlers/**/*.test.ts',
        '<rootDir>/test/runtime/**/*.test.ts',
        '<rootDir>/test/core/sizing.test.ts',
        '<rootDir>/test/core/policy.test.ts',
        '<rootDir>/test/core/engine.test.ts',
        '<rootDir>/test/constructs/policy-validation.test.ts',
      ],
    },
  },
  mutate: [
    // repair and rollback, and the Lambda calls they are made of (idempotence, alias release)
    'src/repair/repair.lambda.ts',
    'src/repair/rollback.lambda.ts',
    'src/runtime/lambda-config.ts:41-338',
    // lock store: lock, cooldown and budget state, repair/rollback intents
    'src/runtime/store.ts:32-146',
    'src/runtime/store.ts:244-260',
    'src/runtime/lock-followup.ts',
    // policy resolution and validation
    'src/workflow/settings.ts',
    'src/core/policy.ts',
    'src/runtime/env.ts:51-175',
    // model merge and the decision
    'src/runtime/model-diagnosis.ts:137-248',
    'src/runtime/diagnosis-engine.ts:108-168',
    // sizing
    'src/core/sizing.ts',
    // normalize guards: prefix, suppression, membership and exclusion, lock, cooldown, budget, qualifier
    'src/workflow/normalize.lambda.ts:72-76',
    'src/workflow/normalize.lambda.ts:89-97',
    'src/workflow/normalize.lambda.ts:124-125',
    'src/workflow/normalize.lambda.ts:147-149',
    'src/workflow/normalize.lambda.ts:218-219',
    'src/workflow/normalize.lambda.ts:234-239',
    'src/workflow/normalize.lambda.ts:251-252',
    'src/workflow/normalize.lambda.ts:277-283',
    'src/workflow/normalize.lambda.ts:336-441',
    'src/workflow/normalize.lambda.ts:463-470',
    'src/runtime/membership.ts:19-55',
  ],
  plugins: ['@stryker-mutator/*', './stryker/ignore-observability.mjs'],
  ignorers: ['observability'],
  ignorePatterns: ['/lib', '/dist', '/coverage', '/test-reports', '/reports', '/cdk.out', '/benchmarks/out', '/.jsii', '/.tmp', '/tsconfig.tsbuildinfo'],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  concurrency: 2,
  timeoutMS: 20000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
