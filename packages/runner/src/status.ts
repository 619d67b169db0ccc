// `kairos status`: the last cycles, the current model and the send ledger, as terminal text.
import type { RunnerState } from "./state/open-state.js";

const pad = (s: string | number, n: number) => String(s).padStart(n);

/** The status of a state directory as lines of text. */
export async function statusText(state: RunnerState, days = 14): Promise<string> {
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
  return `${lines.join("\n")}\n`;
}
