// Plain-text tables of a benchmark run.
import type { AgainstRow } from "./against.js";
import type { BenchResults, CellResult, Target } from "./suite.js";

export function rate(n: number | undefined): string {
  if (n === undefined) return "n/a";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  if (n >= 10) return n.toFixed(0);
  return n.toFixed(2);
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return "n/a";
  const a = Math.abs(n);
  if (a >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (a >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n.toFixed(0)} B`;
}

/** A target's measurement: a heap ratio, a time per round, or a rate. */
export function measuredText(t: Target): string {
  if (t.measured === null) return "n/a";
  if (t.id.endsWith("memory")) return `${t.measured.toFixed(3)}×`;
  return t.id.endsWith(":round") ? micros(t.measured) : rate(t.measured);
}

/** The CPU-time counterpart of a target's measurement, or "". */
function cpuText(t: Target): string {
  if (t.measuredCpu !== undefined) return `${micros(t.measuredCpu)} CPU`;
  return t.measuredPerCpuSecond === undefined ? "" : rate(t.measuredPerCpuSecond);
}

export function micros(n: number): string {
  return `${n.toFixed(2)} µs`;
}

function ratio(n: number | undefined): string {
  if (n === undefined) return "";
  return n >= 10 ? `${n.toFixed(0)}×` : n >= 0.1 ? `${n.toFixed(2)}×` : `${n.toPrecision(2)}×`;
}

/** A text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n");
}

/** Markdown variant of {@link table} (for the README). */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(header),
    `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

/** The tables of a run, as plain text or markdown. */
export function formatResults(results: BenchResults, markdown = false): string {
  const render = markdown ? markdownTable : table;
  const out: string[] = [];
  const dims = results.inputs.dimensions;
  const ratioD = dims.includes(32) ? 32 : dims[0]!;
  for (const space of results.inputs.spaces) {
    const cells = results.results.filter((r) => r.space === space.id);
    const ids = [...new Set(cells.map((c) => c.policy))];
    const at = (id: string, d: number): CellResult | undefined =>
      cells.find((c) => c.policy === id && c.d === d);
    const header = [
      "policy",
      ...dims.map((d) => `dec/s d=${d}`),
      ...dims.map((d) => `upd/s d=${d}`),
      ...dims.map((d) => `heap d=${d}`),
      `dec ÷ random (d=${ratioD})`,
      `dec ÷ ref:linucb (d=${ratioD})`,
      "structure",
    ];
    const rows = ids.map((id) => {
      const first = cells.find((c) => c.policy === id)!;
      const mid = at(id, ratioD);
      const na = cells.find((c) => c.policy === id && c.status === "n/a");
      const structure =
        first.status === "ok"
          ? `${first.structure}${first.units ? ` (${first.units.toLocaleString("en-US")} units)` : ""}`
          : `n/a: ${na?.reason ?? ""}`;
      return [
        first.label,
        ...dims.map((d) => rate(at(id, d)?.decisionsPerSec)),
        ...dims.map((d) =>
          first.kind === "reference" && !at(id, d)?.updatesPerSec ? "—" : rate(at(id, d)?.updatesPerSec),
        ),
        ...dims.map((d) => bytes(at(id, d)?.heapBytes)),
        ratio(mid?.decisionsVsRandom),
        ratio(mid?.decisionsVsRefLinucb),
        structure,
      ];
    });
    out.push(
      `${markdown ? "### " : "== "}${space.label}: ${space.product.toLocaleString("en-US")} actions, sum of options ${space.sumOfOptions}${markdown ? "" : " =="}`,
      "",
      render(header, rows),
      "",
    );
  }
  const memHeader = ["space (option counts)", "sum", "product", "policy", "units", "heap", "bytes / option"];
  const memRows = results.memoryScaling.map((m) => [
    m.optionCounts.join("×"),
    String(m.sumOfOptions),
    m.productOfOptions.toLocaleString("en-US"),
    m.policy,
    m.units?.toLocaleString("en-US") ?? "—",
    m.status === "ok" ? bytes(m.heapBytes) : `n/a: ${m.reason}`,
    m.bytesPerOption ? bytes(m.bytesPerOption) : "—",
  ]);
  out.push(
    `${markdown ? "### " : "== "}Memory vs sum and product of options (d = ${results.memoryScaling[0]?.d ?? "?"})${markdown ? "" : " =="}`,
    "",
    render(memHeader, memRows),
    "",
  );
  const rounds = results.batchRounds ?? [];
  if (rounds.length > 0) {
    const bHeader = ["workload", "µs / round", "median", "decide", "update", "CPU µs / round"];
    const bRows = rounds.map((r) => [
      r.label,
      micros(r.usPerRound),
      micros(r.usPerRoundMedian),
      micros(r.decideUsPerRound),
      micros(r.updateUsPerRound),
      micros(r.cpuUsPerRound),
    ]);
    out.push(
      `${markdown ? "### " : "== "}Rounds in batches: decideBatch + update, per decision${markdown ? "" : " =="}`,
      "",
      render(bHeader, bRows),
      "",
    );
  }
  const tHeader = ["target", "threshold", "measured (wall clock)", "per CPU-second", "met"];
  const tRows = results.targets.map((t) => [
    t.description,
    t.threshold,
    measuredText(t),
    cpuText(t),
    t.met ? "yes" : "NO",
  ]);
  out.push(
    `${markdown ? "### " : "== "}Targets (one core)${markdown ? "" : " =="}`,
    "",
    render(tHeader, tRows),
    "",
  );
  const m = results.meta;
  out.push(
    `Machine: ${m.cpuModel}, ${m.cores} cores, Node ${m.node} (V8 ${m.v8}), ${m.platform} ${m.arch}; ${m.date}; heap measured ${m.heapMethod} (gc ${m.heapGc}); load average ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end.toFixed(2)} at end; run took ${m.durationSeconds.toFixed(0)} s.`,
  );
  return out.join("\n");
}

/** The table of `--against`: each workload before (at `rev`) and after (working tree). */
export function formatAgainst(rows: AgainstRow[], rev: string, markdown = false): string {
  const render = markdown ? markdownTable : table;
  const value = (r: AgainstRow, n: number) => (r.measure === "round" ? micros(n) : `${rate(n)}/s`);
  return render(
    ["workload (per CPU-second, best of 12)", `at ${rev}`, "working tree", "speed-up"],
    rows.map((r) => [r.label, value(r, r.before), value(r, r.after), `${r.speedup.toFixed(2)}×`]),
  );
}
