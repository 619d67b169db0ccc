// Coverage of the off-policy intervals on logs of known target value (issue 9, item 2).
// pnpm exec tsx --conditions=kairos-source packages/sim/examples/ope-coverage.ts [seeds] [rounds]
import { ESTIMATORS, estimatePolicyValue } from "../src/ope/estimators.js";
import { KNOWN_TRUTH_LOGS, knownTruthLog } from "../src/ope/known-truth.js";

const seeds = Number(process.argv[2] ?? 40);
const rounds = Number(process.argv[3] ?? 4000);
console.log(
  `${seeds} seeds × ${rounds} rounds per log; per estimator: intervals printed, of which covering the truth`,
);
let printed = 0;
let covered = 0;
for (const kind of KNOWN_TRUTH_LOGS) {
  const count = new Map(
    ESTIMATORS.map((e) => [e, { printed: 0, covered: 0, warnings: new Map<string, number>() }]),
  );
  for (let seed = 1; seed <= seeds; seed++) {
    const log = knownTruthLog(kind, seed, rounds);
    for (const e of estimatePolicyValue(log.data, { seed })) {
      const c = count.get(e.estimator)!;
      if (!e.ci) {
        const why = (e.warning ?? "").split(/[:(]/)[0]!.trim();
        c.warnings.set(why, (c.warnings.get(why) ?? 0) + 1);
        continue;
      }
      c.printed++;
      printed++;
      if (e.ci[0] <= log.truth && log.truth <= e.ci[1]) {
        c.covered++;
        covered++;
      }
    }
  }
  console.log(kind);
  for (const [e, c] of count) {
    const warnings = [...c.warnings].map(([w, n]) => `${n}× ${w}`).join("; ");
    console.log(
      `  ${e.padEnd(10)} ${c.covered}/${c.printed} covered${warnings ? ` · no interval: ${warnings}` : ""}`,
    );
  }
}
console.log(
  `all printed intervals: ${covered}/${printed} = ${((100 * covered) / printed).toFixed(1)}% cover the truth`,
);
