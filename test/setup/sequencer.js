// Suite order for the two jest workers. The npm start suite times a whole stack coming up (a broker
// JVM among others), and the pipeline suite runs the heaviest load with a broker of its own: the start
// suite goes first and the pipeline suite last, so they do not share the two cores; the fault suite
// (test/chaos: a cluster of three brokers) after it, and it waits for the pipeline suite to end
// (test/support/heavy-suites.ts). Everything else keeps jest's default order (slowest first, from
// earlier runs).
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = /[\\/]test[\\/]start[\\/]/;
const LAST = /[\\/]test[\\/]dossier[\\/]pipeline\.e2e-spec\.ts$/;
const AFTER_LAST = /[\\/]test[\\/]chaos[\\/]/;

class LienThongSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const rank = (test) =>
      FIRST.test(test.path) ? 0 : LAST.test(test.path) ? 2 : AFTER_LAST.test(test.path) ? 3 : 1;
    const ordered = [...sorted].sort((a, b) => rank(a) - rank(b));
    // sorting comes before global setup and the workers: they inherit this
    if (ordered.some((test) => LAST.test(test.path)) && ordered.some((test) => AFTER_LAST.test(test.path))) {
      process.env.LGSP_TEST_CHAOS_AFTER_PIPELINE = '1';
    }
    return ordered;
  }
}

module.exports = LienThongSequencer;
