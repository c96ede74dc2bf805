// Mutation testing of the safety-critical modules: `npm run mutation` (slow: not part of CI).
// https://stryker-mutator.io/docs/stryker-js/configuration/
//
// The modules are mutated in groups, each tested by the tests written for it: with every handler
// test in one run, each mutant of a module the test support imports (the store, the policy, the
// normalize guards) would load some twenty test files, about a minute per mutant on two cores.
// `stryker/run.mjs` runs the groups one after the other (MUTATION_GROUP picks one) and merges
// their JSON reports into reports/mutation/mutation.json. README "Testing" lists the
// survivors. Where a file mixes safety code with other code, the mutated lines are given.

import { GROUPS } from './stryker/groups.mjs';

const name = process.env.MUTATION_GROUP;
const group = GROUPS[name];
if (!group) {
  throw new Error(`MUTATION_GROUP must be one of ${Object.keys(GROUPS).join(', ')}, got '${name ?? ''}' (run npm run mutation)`);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  checkers: ['typescript'],
  // Each group's own small project: the check time grows with the project (Stryker's checker runs
  // TypeScript with incremental mode off); measured on two busy cores, about 20 s a mutant with all
  // the mutated modules in one project, 2 s for the policy modules alone.
  tsconfigFile: `stryker/tsconfig.${name}.json`,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  jest: {
    projectType: 'custom',
    // package.json's `jest` (projen's config) with the test files narrowed to the group's; each
    // mutant then runs the related ones among them, filtered to the tests that cover it.
    enableFindRelatedTests: true,
    config: { testMatch: group.tests.map((t) => `<rootDir>/test/${t}`) },
  },
  mutate: group.mutate,
  plugins: ['@stryker-mutator/*', './stryker/ignore-observability.mjs'],
  ignorers: ['observability'],
  // assets/ (the handler bundles) is copied: construct tests in a group synthesize stacks that read them.
  ignorePatterns: ['/lib', '/dist', '/coverage', '/test-reports', '/reports', '/cdk.out', '/benchmarks/out', '/.jsii', '/.tmp'],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/groups/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  incremental: true,
  incrementalFile: `reports/mutation/groups/${name}.incremental.json`,
  // The machine is shared (2 cores, several people): one checker and one test runner.
  concurrency: 1,
  // Generous: on the shared machine a slow test run must not pass for a mutant's endless loop.
  timeoutMS: 30000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
