// Plain-text (or markdown) tables of a learning-benchmark run.
import { fmt, pct } from "../../packages/sim/src/index.js";
import { markdownTable, table } from "../lib/report.js";
import type { Cell, Comparison, LearnResults, PolicySpec } from "./harness.js";

/** `1.23×`, or – when there is no ratio. */
export function ratioText(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? "–" : `${r.toFixed(2)}×`;
}

/** The ratio with its paired 95% interval over seeds: `1.23× (1.05–1.41)`. */
export function ratioWithInterval(c: Cell): string {
  const r = ratioText(c.ratioToBestPeer);
  const p = c.pairedRatio;
  return p && p.high > p.low ? `${r} (${p.low.toFixed(2)}–${p.high.toFixed(2)})` : r;
}

function us(v: number | undefined): string {
  if (v === undefined) return "–";
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function regretText(c: Cell): string {
  if (c.status !== "ok" || !c.regret) return `n/a: ${c.reason ?? ""}`;
  const half = (c.regret.high - c.regret.low) / 2;
  return half > 0 ? `${fmt(c.regret.estimate)} ±${fmt(half)}` : fmt(c.regret.estimate);
}

/** The label of a policy id. */
export function labelOf(results: LearnResults, id: string | undefined): string {
  if (id === undefined) return "–";
  return results.policies.find((p) => p.id === id)?.label ?? id;
}

/**
 * The rows shown for one problem and batch size: references, every Kairos preset, and per peer algorithm
 * its best configuration (plus its default one when that is not the best); the JSON has every peer.
 */
export function shownCells(
  results: LearnResults,
  problem: string,
  batch: number,
): { spec: PolicySpec; cell: Cell; note: string; bestOfFamily: boolean }[] {
  const cells = results.cells.filter((c) => c.problem === problem && c.batch === batch);
  const comparison = results.comparisons.find((c) => c.problem === problem && c.batch === batch);
  const out: { spec: PolicySpec; cell: Cell; note: string; bestOfFamily: boolean }[] = [];
  const specOf = (id: string) => results.policies.find((p) => p.id === id)!;
  for (const cell of cells) {
    const spec = specOf(cell.policy);
    if (spec.group !== "peer") out.push({ spec, cell, note: "", bestOfFamily: false });
  }
  const families = new Map<string, Cell[]>();
  for (const cell of cells) {
    const spec = specOf(cell.policy);
    if (spec.group !== "peer") continue;
    const key = `${spec.library} ${spec.family}`;
    families.set(key, [...(families.get(key) ?? []), cell]);
  }
  for (const list of families.values()) {
    const ok = list.filter((c) => c.status === "ok").sort((a, b) => a.regret!.estimate - b.regret!.estimate);
    const best = ok[0];
    const shown = new Set<Cell>();
    if (best) shown.add(best);
    for (const c of list) if (specOf(c.policy).isDefault) shown.add(c);
    if (!best && list[0]) shown.add(list[0]);
    for (const c of list.filter((c) => shown.has(c))) {
      const notes = [];
      if (c === best && list.length > 1) notes.push(`best of ${list.length}`);
      if (specOf(c.policy).isDefault) notes.push("default");
      if (comparison?.bestPeer?.policy === c.policy) notes.push("◀ best peer");
      out.push({ spec: specOf(c.policy), cell: c, note: notes.join(", "), bestOfFamily: c === best });
    }
  }
  return out;
}

function problemTable(results: LearnResults, problem: string, batch: number, markdown: boolean): string {
  const render = markdown ? markdownTable : table;
  const header = [
    "policy",
    "regret (95% CI)",
    "÷ best peer (paired 95% CI)",
    "of oracle reward",
    "µs/round",
    "decide",
    "note",
  ];
  const rows = shownCells(results, problem, batch).map(({ spec, cell, note }) => [
    spec.group === "peer" ? spec.label : spec.group === "reference" ? `ref: ${spec.label}` : spec.label,
    regretText(cell),
    cell.status === "ok" ? ratioWithInterval(cell) : "",
    cell.status === "ok" ? pct(cell.oracleShare!) : "",
    cell.status === "ok" ? us(cell.usPerRound) : "",
    cell.status === "ok" ? pct(cell.decideShare!, 0) : "",
    note,
  ]);
  return render(header, rows);
}

/** Best Kairos preset ÷ best tuned peer, per problem and batch size, and every preset's ratio. */
export function summaryTable(results: LearnResults, markdown = false): string {
  const render = markdown ? markdownTable : table;
  const columns = results.comparisons;
  const header = ["", ...columns.map((c) => `${c.problem} b=${c.batch}`)];
  const kairos = results.policies.filter((p) => p.group === "kairos");
  const cell = (c: Comparison, id: string) =>
    results.cells.find((x) => x.problem === c.problem && x.batch === c.batch && x.policy === id);
  const rows = kairos.map((p) => [
    p.label,
    ...columns.map((c) => {
      const x = cell(c, p.id);
      return x?.status === "ok" ? ratioText(x.ratioToBestPeer) : "n/a";
    }),
  ]);
  rows.push(["best Kairos ÷ best peer", ...columns.map((c) => ratioText(c.bestKairos?.ratio))]);
  rows.push(["best peer regret", ...columns.map((c) => (c.bestPeer ? fmt(c.bestPeer.regret) : "–"))]);
  rows.push(["best peer", ...columns.map((c) => labelOf(results, c.bestPeer?.policy))]);
  rows.push([
    "best default peer ÷ best peer",
    ...columns.map((c) =>
      c.bestPeer && c.bestDefaultPeer ? ratioText(c.bestDefaultPeer.regret / c.bestPeer.regret) : "–",
    ),
  ]);
  return render(header, rows);
}

export function describeRun(results: LearnResults): string {
  const m = results.meta;
  const s = results.settings;
  return `${m.cpuModel}, ${m.cores} cores, Node ${m.node} (V8 ${m.v8}), ${m.platform} ${m.arch}; ${m.date}; ${m.mode} run of ${m.durationSeconds.toFixed(0)} s on ${m.workers} worker thread(s); load average ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end.toFixed(2)} at end; seeds ${s.seeds.join(", ")}; Thompson propensities ${s.propensities ? "computed (preset defaults)" : "off (propensityDraws: 0; decisions unchanged)"}${m.commit ? `; commit ${m.commit.slice(0, 10)}${m.coreModified ? " with uncommitted changes in packages/core" : ""}` : ""}.`;
}

export function formatResults(results: LearnResults, markdown = false): string {
  const out: string[] = [];
  for (const p of results.problems) {
    for (const batch of results.settings.batchSizes) {
      const title = `${p.label}, batch size ${batch}: ${p.horizon.toLocaleString("en-US")} rounds, ${results.settings.seeds.length} seeds; oracle earns ${p.oracleMean.toFixed(3)}/round, uniform random ${p.randomMean.toFixed(3)}`;
      out.push(
        markdown ? `### ${title}` : `== ${title}`,
        "",
        problemTable(results, p.id, batch, markdown),
        "",
      );
    }
  }
  out.push(
    markdown ? "### Regret ÷ best tuned peer" : "== Regret ÷ best tuned peer (goal ≤ 0.80×)",
    "",
    summaryTable(results, markdown),
    "",
  );
  out.push(describeRun(results));
  return out.join("\n");
}
