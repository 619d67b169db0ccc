import type { SimulationResults } from "../results.js";
import { fmt, pct, textTable, uplift, withInterval } from "./format.js";

/** The comparison table `kairos-sim run` prints: one row per policy, then the control groups. */
export function resultsTable(results: SimulationResults): string {
  const reps = results.replications;
  const title =
    `${results.scenario} · ${results.metric} · ${results.days} days · ${results.populationSize.toLocaleString("en-US")} customers · ` +
    `${reps} replication${reps === 1 ? "" : "s"} · ${results.seconds.toFixed(1)} s`;
  const groups = new Set(results.groups.map((g) => g.label));
  const header = ["policy (kairos group)", "reward/customer", "reward/day", "regret", "of oracle"];
  for (const g of ["random", "bau", "holdout"] as const)
    if (groups.has(g)) header.push(`uplift vs ${g === "bau" ? "BAU" : g}`);
  const sorted = [...results.policies].sort(
    (a, b) => b.rewardPerCustomer.estimate - a.rewardPerCustomer.estimate,
  );
  const rows = sorted.map((p) => {
    const row = [
      p.label,
      withInterval(p.rewardPerCustomer),
      fmt(p.meanRewardPerDay.estimate),
      fmt(p.regret.estimate),
      pct(p.oracleShare.estimate),
    ];
    for (const g of ["random", "bau", "holdout"] as const) if (groups.has(g)) row.push(uplift(p.uplift[g]));
    return row;
  });
  const groupRows = results.groups.map((g) => [
    `group: ${g.label}`,
    withInterval(g.rewardPerCustomer),
    fmt(g.meanRewardPerDay.estimate),
    g.label === "holdout" ? "–" : fmt(g.regret.estimate),
    g.label === "holdout" ? "–" : pct(g.oracleShare.estimate),
    ...header.slice(5).map(() => ""),
  ]);
  const note =
    "reward/customer: mean total reward per customer of the group over the horizon (± half-width of the 95% interval over replications);\n" +
    "uplift: (policy − group) / group on reward per customer, 95% interval; regret: expected reward lost against the oracle.";
  return `${title}\n\n${textTable(header, [...rows, ...groupRows])}\n\n${note}\n`;
}
