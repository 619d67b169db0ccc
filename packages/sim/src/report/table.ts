import type { SimulationResults, UnitResult } from "../results.js";
import { count, fixedWithInterval, pct, textTable, unitSuffix, unitsOf, uplift } from "./format.js";
import { summaryText } from "./summary.js";

/** Wraps text at `width` columns. */
function wrap(text: string, width = 110): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/**
 * The comparison `kairos-sim run` prints: the summary paragraph, then one row per policy (Kairos group,
 * per customer), the ceilings, then the control groups.
 */
export function resultsTable(results: SimulationResults): string {
  const u = unitsOf(results);
  const reps = results.replications;
  const title =
    `${results.scenario} · ${u.metric}${unitSuffix(u)} · ${results.days} days · ${count(results.populationSize)} customers · ` +
    `${reps} replication${reps === 1 ? "" : "s"} · ${results.seconds.toFixed(1)} s`;
  const groups = new Set(results.groups.map((g) => g.kind));
  const controls = (["random", "bau", "holdout"] as const).filter((g) => groups.has(g));
  const header = [
    "policy (kairos group)",
    `${u.metric}/customer`,
    ...controls.map((g) => `uplift vs ${g === "bau" ? "BAU" : g}`),
    "messages/customer",
    // With the conversion metric the reward per customer already counts conversions.
    ...(u.money ? ["conv./1,000 cust."] : []),
    "of oracle",
  ];
  const row = (x: UnitResult, name: string) => [
    name,
    fixedWithInterval(x.rewardPerCustomer),
    ...controls.map((g) => (x.type === "policy" ? uplift(x.uplift[g]) : "")),
    x.kind === "holdout" ? "0" : x.sendsPerCustomer.estimate.toFixed(1),
    ...(u.money ? [count(1000 * x.conversionsPerCustomer.estimate)] : []),
    x.kind === "holdout" ? "–" : pct(x.oracleShare.estimate),
  ];
  const sorted = [...results.policies].sort(
    (a, b) => b.rewardPerCustomer.estimate - a.rewardPerCustomer.estimate,
  );
  const rows = [
    ...sorted.filter((p) => p.role !== "ceiling").map((p) => row(p, p.label)),
    ...sorted.filter((p) => p.role === "ceiling").map((p) => row(p, `${p.label} (ceiling)`)),
    ...results.groups.map((g) => row(g, `group: ${g.label} (${count(g.customers)})`)),
  ];
  const notes = [
    `${u.metric}/customer: total ${u.metric} per customer of the group over the horizon${u.currency ? ` in ${u.currency}` : ""}, ± half-width of its 95% interval;`,
    "uplift: (policy − group) / group on it, 95% interval; every policy runs on the same kairos-group customers, control groups on others;",
    "random: a random combination for each message (on the kairos group); best-single (ceiling): the best single combination in hindsight,",
    "the most an A/B test that ships one winner to everyone can earn; oracle (ceiling): the best combination per customer and day.",
    wrap(`Intervals: ${results.intervals.note}.`),
  ];
  const note = notes.join("\n");
  return `${title}\n\n${wrap(summaryText(results))}\n\n${textTable(header, rows)}\n\n${note}\n`;
}
