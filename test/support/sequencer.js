/**
 * Jest's order of test files, but for one case: without timings of an earlier run (a fresh
 * clone, as in CI), jest starts the largest files first, and the scenario shards of both modes
 * (test/simulation/scenarios-<n>.test.ts, coordinator-scenarios-<n>.test.ts) are small files whose
 * tests run for minutes. Left to the
 * end they would keep one worker busy while the others idle; they start first instead.
 * https://jestjs.io/docs/configuration#testsequencer-string
 */
const Sequencer = require('@jest/test-sequencer').default;

const LONG_BUT_SMALL = /[\\/]test[\\/]simulation[\\/](coordinator-)?scenarios-\d+\.test\.ts$/;

class LongFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const first = sorted.filter((t) => t.duration == null && LONG_BUT_SMALL.test(t.path));
    return [...first, ...sorted.filter((t) => !first.includes(t))];
  }
}

module.exports = LongFirstSequencer;
