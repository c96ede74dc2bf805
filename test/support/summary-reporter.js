/**
 * Jest reporter that ends a run with one plain line, `tests: N passed, N failed, N skipped`,
 * so that CI can read the outcome of the README's test command. A suite that fails to load
 * (a syntax error, a missing module) counts as a failure too.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter((r) => r.testExecError).length;
    const failed = results.numFailedTests + brokenSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
