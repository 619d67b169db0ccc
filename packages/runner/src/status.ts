// `kairos status`: the last cycles, the current model and the send ledger, as terminal text.
import { type BrazeComparison, brazeComparison, type Compared } from "./data-series/reconciliation.js";
import type { RunnerState } from "./state/open-state.js";
import type { UseCase } from "./use-case/compile.js";

const pad = (s: string | number, n: number) => String(s).padStart(n);

/** The status of a state directory as lines of text; with the use case, the Braze-vs-Kairos reconciliation too. */
export async function statusText(
  state: RunnerState,
  days = 14,
  useCase?: UseCase,
  now = Date.now(),
): Promise<string> {
  const lines: string[] = [];
  const cycles = state.cycles.list(days);
  if (cycles.length === 0) lines.push("no cycle yet: run `kairos day`");
  else {
    lines.push(
      `${"day".padEnd(10)}  ${"step".padEnd(9)}  ${pad("audience", 8)}  ${pad("kairos", 7)}  ${pad("random", 6)}  ${pad("bau", 6)}  ${pad("holdout", 7)}  ${pad("skipped", 7)}  ${pad("sent", 7)}  ${pad("failed", 6)}  ${pad("learned", 7)}  ${pad("model", 5)}`,
    );
    for (const c of cycles) {
      const s = c.summary;
      const g = s.decided ?? {};
      const skipped = Object.values(s.skipped ?? {}).reduce((a, b) => a + b, 0);
      lines.push(
        `${c.day}  ${c.step.padEnd(9)}  ${pad(s.audience ?? "", 8)}  ${pad(g.kairos ?? "", 7)}  ${pad(g.random ?? "", 6)}  ${pad(g.bau ?? "", 6)}  ${pad(g.holdout ?? "", 7)}  ${pad(s.skipped ? skipped : "", 7)}  ${pad(s.sent ?? "", 7)}  ${pad(s.failed ?? "", 6)}  ${pad(s.learned ?? "", 7)}  ${pad(s.policyVersion ?? "", 5)}`,
      );
    }
  }
  const model = state.snapshots.latest();
  lines.push(
    model
      ? `model: snapshot #${model.id} (${model.reason}${model.day ? `, ${model.day}` : ""}), version ${model.policyVersion}, ${model.learnedThrough} rewards received`
      : "model: none yet",
  );
  const counts = await state.ledger.counts();
  lines.push(
    `send ledger: ${counts.sent} sent, ${counts.failed} failed, ${counts.queued} queued, ${counts.in_flight} in flight`,
  );
  if (useCase) lines.push(...comparisonLines(brazeComparison(useCase, state, now)));
  return `${lines.join("\n")}\n`;
}

const compared = (c: Compared) =>
  `${pad(`${+c.braze.toFixed(2)}/${+c.kairos.toFixed(2)}`, 13)} ${pad(`${(100 * c.relative).toFixed(1)}%`, 6)}`;

/** The reconciliation as a table: Braze/Kairos counts and their relative difference, then the verdict. */
function comparisonLines(c: BrazeComparison): string[] {
  if (c.rows.length === 0) return ["Braze vs Kairos: no data_series pulled yet (`kairos day` pulls it)"];
  const revenue = c.rows.some((r) => r.revenue);
  const lines = [
    `Braze vs Kairos (data_series; Braze/Kairos and relative difference; conversions by ${c.countBy === "send_time" ? "send" : "event"} day; flagged above ${(100 * c.tolerance).toFixed(0)}% and ${c.minDifference} apart; for validation, never learned from):`,
    `${"day".padEnd(10)}  ${"campaign/Canvas".padEnd(32)}  ${pad("sends", 20)}  ${pad("conversions", 20)}${revenue ? `  ${pad("revenue", 20)}` : ""}  verdict`,
  ];
  for (const r of c.rows) {
    lines.push(
      `${r.day}  ${r.target.padEnd(32)}  ${compared(r.sends)}  ${compared(r.conversions)}${r.revenue ? `  ${compared(r.revenue)}` : ""}  ${r.verdict === "open" ? "open (rewards not final yet)" : r.verdict}`,
    );
    for (const f of r.flags) lines.push(`  ! ${f}`);
  }
  return lines;
}
