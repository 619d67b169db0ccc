// `kairos export-log <use-case.json>`: the decision log joined with its final rewards, for off-policy
// evaluation (`kairos-sim ope`).
import { resolve } from "node:path";
import { type ExportLogSummary, exportDecisionLog } from "../export-log.js";
import { openState } from "../state/open-state.js";
import { loadUseCase } from "../use-case/load.js";
import { type Command, STATE_OPTION, stateDirOf, UsageError } from "./command.js";

const GROUPS = ["kairos", "random", "bau"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const exportLogCommand: Command = {
  name: "export-log",
  summary:
    "write the decisions with their final rewards as kairos-decision-log/v1, for off-policy evaluation",
  positionals: "use-case",
  options: {
    ...STATE_OPTION,
    out: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    groups: { type: "string" },
    "propensities-only": { type: "boolean" },
  },
  usage: `usage: kairos export-log <use-case.json> --out FILE.jsonl [--from DAY] [--to DAY] [--groups LIST]
       [--propensities-only] [--state DIR]

Writes the decision log joined with the rewards learned once each attribution window closed, as
kairos-decision-log/v1 JSON Lines (what \`kairos-sim ope\` reads): per sent decision its context, action,
propensity, reward, eligibility and the deciding policy's whole distribution over the actions, recomputed
from the model snapshot it decided with (exact, or where core estimates Thompson sampling's probabilities by
Monte Carlo a second estimate beside the logged propensity; the summary says which).
Decisions not sent, or whose attribution window had not closed by the last learning step (even when
their reward is already final: keeping early conversions without the zeros would bias every estimate),
are left out and counted. Reads only.

options:
  --out FILE           where to write (required)
  --from DAY           first day, YYYY-MM-DD (default: the first logged)
  --to DAY             last day, inclusive (default: the last logged)
  --groups LIST        comma-separated groups among kairos, random, bau (default: all three)
  --propensities-only  leave out the recomputed distributions (faster; ope then needs --target)
  --state DIR          state directory of this use case (default: kairos-state/<use-case id>)
  -h, --help           show this help

example:
  kairos export-log use-cases/win-back.json --from 2026-03-01 --to 2026-03-31 --out march.jsonl
  kairos-sim ope march.jsonl --target logging
`,
  async run(values, [file], io) {
    if (typeof values.out !== "string") throw new UsageError("--out FILE.jsonl is required");
    for (const flag of ["from", "to"] as const) {
      const v = values[flag];
      if (v !== undefined && (typeof v !== "string" || !DAY.test(v)))
        throw new UsageError(`--${flag} needs a day as YYYY-MM-DD, got "${v}"`);
    }
    const groups = typeof values.groups === "string" ? values.groups.split(",") : [...GROUPS];
    for (const g of groups)
      if (!(GROUPS as readonly string[]).includes(g))
        throw new UsageError(`--groups: unknown group "${g}" (groups: ${GROUPS.join(", ")})`);
    const useCase = await loadUseCase(file!);
    const state = openState(stateDirOf(values, useCase), useCase.id, { lock: false });
    try {
      const out = resolve(values.out);
      const summary = exportDecisionLog(useCase, state, out, {
        ...(values.from === undefined ? {} : { from: values.from as string }),
        ...(values.to === undefined ? {} : { to: values.to as string }),
        groups: groups as (typeof GROUPS)[number][],
        probabilities: values["propensities-only"] !== true,
      });
      io.out(summaryText(out, summary));
      return 0;
    } finally {
      await state.close();
    }
  },
};

/** What was written and left out, in two lines. */
function summaryText(out: string, s: ExportLogSummary): string {
  const total = Object.values(s.exported).reduce((a, b) => a + b, 0);
  const per = Object.entries(s.exported)
    .map(([g, n]) => `${g} ${n}`)
    .join(", ");
  const l = s.leftOut;
  const p = s.probabilities;
  const estimated = p.written - p.exact;
  const spread = p.ratio ? `${p.ratio[0].toFixed(2)}–${p.ratio[1].toFixed(2)}` : "";
  return (
    `wrote ${out}: ${total} decisions (${per}); ${p.written} with the policy's distribution` +
    `${estimated > 0 ? ` (${p.exact} exact, ${estimated} estimated: π(action)/propensity ${spread} for 90% of them)` : ""}` +
    `${p.notReproducible > 0 ? `, ${p.notReproducible} without (not reproducible from their snapshot)` : ""}\n` +
    `left out: ${l.windowOpen} window still open, ${l.notSent} not sent, ${l.noPropensity} without a propensity, ${l.retiredOption} with a retired option` +
    `${l.rewardMissing > 0 ? `, ${l.rewardMissing} window closed without a learned reward` : ""}\n`
  );
}
