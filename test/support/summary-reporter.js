/**
 * Prints one plain closing line ("jest: N passed, N failed, N skipped") after a run, so that
 * CI logs state the count in a form any log reader understands.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(
      `\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
