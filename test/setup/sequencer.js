// Suite order for the two jest workers. The npm start suite times a whole stack coming up (a broker
// JVM among others), and the pipeline suite runs the heaviest load with a broker of its own: the start
// suite goes first and the pipeline suite after every other cross-app suite, so they do not share the two
// cores. The unit specs (next to the code, *.spec.ts) come after the pipeline suite: the worker it leaves
// free runs them meanwhile instead of idling. The fault suite (test/chaos: a cluster of three brokers)
// goes last, and it waits for the pipeline suite to end (test/support/heavy-suites.ts). Within each group
// jest's default order holds (slowest first, from earlier runs).
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = /[\\/]test[\\/]start[\\/]/;
const PIPELINE = /[\\/]test[\\/]dossier[\\/]pipeline\.e2e-spec\.ts$/;
const UNIT = /(?<!\.e2e-spec)\.spec\.ts$/;
const LAST = /[\\/]test[\\/]chaos[\\/]/;

class LienThongSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const rank = (test) =>
      FIRST.test(test.path)
        ? 0
        : PIPELINE.test(test.path)
          ? 2
          : LAST.test(test.path)
            ? 4
            : UNIT.test(test.path)
              ? 3
              : 1;
    const ordered = [...sorted].sort((a, b) => rank(a) - rank(b));
    // sorting comes before global setup and the workers: they inherit this
    if (ordered.some((test) => PIPELINE.test(test.path)) && ordered.some((test) => LAST.test(test.path))) {
      process.env.LGSP_TEST_CHAOS_AFTER_PIPELINE = '1';
    }
    return ordered;
  }
}

module.exports = LienThongSequencer;
