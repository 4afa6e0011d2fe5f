/**
 * Prints one closing line CI can read in any language: "tests: N passed, N failed, N skipped".
 * A run where no test executed prints "0 passed", which CI treats as running no test.
 * Before it, the variants that did not run, as global setup said at the start (the
 * PostgreSQL variants without DATABASE_URL or PostgreSQL binaries: test/helpers/postgres.ts).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    // POSTGRES_NOTICE_VAR in test/helpers/postgres.ts.
    const notice = process.env.SWITCHBOARD_POSTGRES_NOTICE;
    if (notice) process.stdout.write(`\n${notice}\n`);
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
