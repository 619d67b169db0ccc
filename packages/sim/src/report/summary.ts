import { presets } from "@kairos/core";
import type { SimulationResults, UnitResult } from "../results.js";
import { amount, combination, ordinal, type Units, unitsOf } from "./format.js";

const AB_KINDS = new Set(["ab-test", "segment-ab-test"]);

/** `+52% [+38, +66]`, or `+52%` without an interval. */
function relative(i: { estimate: number; low: number; high: number }): string {
  const s = (v: number) => `${v >= 0 ? "+" : ""}${Math.round(v * 100)}`;
  if (!Number.isFinite(i.estimate)) return "–";
  return Number.isFinite(i.low) && Number.isFinite(i.high)
    ? `${s(i.estimate)}% [${s(i.low)}, ${s(i.high)}]`
    : `${s(i.estimate)}%`;
}

/** The rows a summary talks about: the best Kairos policy, the best A/B test, BAU, the hindsight ceiling. */
export function headlineRows(results: SimulationResults): {
  kairos?: UnitResult;
  abTest?: UnitResult;
  bau?: UnitResult;
  ceiling?: UnitResult;
} {
  const best = (rows: UnitResult[]) =>
    [...rows].sort((a, b) => b.rewardPerCustomer.estimate - a.rewardPerCustomer.estimate)[0];
  const p = results.policies;
  return {
    kairos: best(p.filter((u) => u.role === "kairos")),
    abTest: best(p.filter((u) => AB_KINDS.has(u.kind))),
    bau: p.find((u) => u.kind === "bau"),
    ceiling: p.find((u) => u.kind === "best-single"),
  };
}

/**
 * How much more (or less) `a` earned per customer than `b`, and its interval: the paired comparison when
 * there is one, e.g. `€14.10 more net revenue per customer than X (95% interval €10.20 to €18.00; +52% [+38, +66])`.
 */
function versus(results: SimulationResults, a: UnitResult, b: UnitResult, name: string, u: Units): string {
  const c = results.comparisons.find((x) => x.policy === a.label && x.versus === b.label);
  const d = c?.difference.estimate ?? a.rewardPerCustomer.estimate - b.rewardPerCustomer.estimate;
  const rel = c?.relative ?? {
    estimate: d / b.rewardPerCustomer.estimate,
    low: Number.NaN,
    high: Number.NaN,
  };
  const ci =
    c && Number.isFinite(c.difference.low) && Number.isFinite(c.difference.high)
      ? `95% interval ${amount(c.difference.low, u)} to ${amount(c.difference.high, u)}; ${relative(rel)}`
      : `${relative(rel)}; one replication, so no interval`;
  return `${amount(Math.abs(d), u)} ${d >= 0 ? "more" : "less"} ${u.metric} per customer than ${name} (${ci})`;
}

/**
 * The one-paragraph answer at the top of a report: how much more the best Kairos policy earned per customer
 * than the best A/B test run beside it (paired, with its 95% interval), than business as usual, and where
 * the ceiling of any one-winner A/B test lies. Plain text.
 */
export function summaryText(results: SimulationResults): string {
  const u = unitsOf(results);
  const { kairos, abTest, bau, ceiling } = headlineRows(results);
  const sentences: string[] = [];
  const days = `Over ${results.days} days`;
  if (kairos && abTest) {
    sentences.push(
      `${days}, Kairos (${kairos.label}) earned ${versus(results, kairos, abTest, `your best A/B test, ${abTest.label}`, u)}.`,
    );
  }
  if (kairos && bau)
    sentences.push(
      `${kairos && abTest ? "It" : `${days}, Kairos (${kairos.label})`} earned ${versus(results, kairos, bau, "business as usual", u)}.`,
    );
  const better = betterThanAuto(results);
  if (better) sentences.push(recommendation(results, better, u));
  const per = [kairos, abTest, bau, ceiling]
    .filter((x): x is UnitResult => x !== undefined)
    .map((x) => `${x.label} ${amount(x.rewardPerCustomer.estimate, u)}`);
  if (per.length) sentences.push(`${capitalise(u.metric)} per customer: ${per.join(", ")}.`);
  if (ceiling) {
    sentences.push(
      `${ceiling.label} is the best single combination in hindsight, picked with the true response model: no A/B test that ships one winner to everyone can earn more than it here${
        kairos
          ? `, and Kairos ${kairos.rewardPerCustomer.estimate > ceiling.rewardPerCustomer.estimate ? "beats" : "does not beat"} it by personalising`
          : ""
      }.`,
    );
  }
  sentences.push(
    results.replications > 1
      ? `Intervals are 95%, from the variation between ${results.replications} replications (independent simulated experiments); differences are paired (same customers, same luck).`
      : "One replication: the intervals shown are within-run only and too narrow (they ignore run-to-run variation); run with --seeds 3 or more.",
  );
  return sentences.join(" ");
}

/**
 * The Kairos policy other than auto (core's default) that beat auto by the most, when its paired 95%
 * interval excludes 0 (replications > 1): the preset worth switching to for these customers.
 */
function betterThanAuto(results: SimulationResults): { policy: UnitResult; auto: UnitResult } | undefined {
  const auto = results.policies.find((p) => p.kind === "auto");
  if (!auto) return undefined;
  const wins = results.comparisons.filter((c) => c.versus === auto.label && c.difference.low > 0);
  const best = wins.sort((a, b) => b.difference.estimate - a.difference.estimate)[0];
  const policy = best && results.policies.find((p) => p.label === best.policy);
  return policy && { policy, auto };
}

function recommendation(
  results: SimulationResults,
  better: NonNullable<ReturnType<typeof betterThanAuto>>,
  u: Units,
): string {
  const { policy, auto } = better;
  // Another package's preset (such as @kairos/neural's) models what auto's linear model cannot.
  const why =
    policy.kind in presets ? "" : " customers here respond non-linearly, which auto's linear model misses;";
  return `${policy.label} earned ${versus(results, policy, auto, auto.label, u)}:${why} use kind ${policy.kind}.`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What a row is, in a sentence a marketer can read (plain text). */
export function describeRow(row: UnitResult, results: SimulationResults): string {
  const u = unitsOf(results);
  const bau = results.bau ? combination(results.bau) : "the usual campaign";
  if (row.type === "group") {
    const n = `${row.customers.toLocaleString("en-US")} other customers, randomised apart`;
    if (row.kind === "random")
      return `Control group (${n}): a random combination each time. "Uplift vs random" divides by it.`;
    if (row.kind === "bau")
      return `Control group (${n}): business as usual (${bau}). "Uplift vs BAU" divides by it.`;
    return `Control group (${n}): no message at all, organic purchases only. "Uplift vs holdout" divides by it.`;
  }
  switch (row.kind) {
    case "random":
      return "A uniformly random eligible combination for every message, on the same customers as the Kairos policies: what choosing without learning earns. (The random control group below gets the same on its own customers.)";
    case "bau":
      return `Business as usual on the same customers: ${bau} for everyone (the same message on another channel after an unsubscribe).`;
    case "best-single":
      return "The best single combination in hindsight, picked with the true response model on these customers over the whole horizon: the most any A/B test that ships one winner to everyone could earn. Not reachable in practice.";
    case "oracle":
      return "The truly best combination for each customer each day (true model): the ceiling of any policy.";
    case "ab-test":
    case "segment-ab-test":
      return describeAbTest(row, results, u);
    default:
      return `Kairos policy (${row.kind}): learns each night from the outcomes that have arrived and picks a combination per customer.`;
  }
}

function describeAbTest(row: UnitResult, results: SimulationResults, u: Units): string {
  const t = row.abTest;
  const per = row.kind === "segment-ab-test" ? ` per ${results.segmentFeature ?? "segment"}` : "";
  if (!t) return `A/B test${per}.`;
  const parts: string[] = [];
  if (t.design.kind === "full-factorial") {
    parts.push(
      `Naive full-factorial A/B test${per}: every one of ${t.design.arms} combinations split evenly for ${t.design.exploreDays} days, then the best observed mean for everyone, with no sample-size plan or significance test, decided before the attribution window of the last sends closed.`,
    );
  } else {
    const d = t.design;
    parts.push(
      `A/B test${per} one dimension at a time (${d.order.join(", ")}), the others held at the current champion (business as usual to begin with); each stage sized to detect a ${Math.round(d.mde * 100)}% difference with ${Math.round(d.power * 100)}% power at ${Math.round(d.alpha * 100)}% significance (Bonferroni over its comparisons), decided once the ${d.attributionDays}-day attribution window of its last send has closed; a challenger ships only if significantly better than the control.`,
    );
    const order = results.segments ?? [];
    const p =
      t.programmes?.find((x) => x.segment === "*") ??
      [...(t.programmes ?? [])].sort((a, b) => order.indexOf(a.segment) - order.indexOf(b.segment))[0];
    if (p) {
      const stages = p.stages.map((s) => {
        const arms = `${s.arms.length} arms × ${s.samplesPerArm.toLocaleString("en-US")} sends`;
        if (s.decidedDay === undefined)
          return `${s.dimension} (${arms}, from day ${s.startDay + 1}: ${s.enrolledDay === undefined ? "still enrolling" : "waiting for outcomes"} at the end)`;
        const winner = s.shipped ? String(s.shipped[s.dimension]) : "?";
        const control = String(s.arms[0]![s.dimension]);
        return `${s.dimension} (${arms}, days ${s.startDay + 1}–${s.decidedDay}: ${winner === control ? `kept ${control}` : `${winner} beat ${control}`})`;
      });
      const where = p.segment === "*" ? "" : ` (segment ${p.segment})`;
      parts.push(`Replication 1${where}: ${stages.length ? stages.join("; ") : "no stage"}.`);
    }
  }
  if (t.shippedRank?.length) {
    const ranks = t.shippedRank;
    const avg = ranks.reduce((s, v) => s + v, 0) / ranks.length;
    parts.push(
      `What everyone got at the end ranks ${ranks.length === 1 ? ordinal(ranks[0]!) : `${ordinal(Math.round(avg))} on average (${ranks.map(ordinal).join(", ")})`} of ${t.combinations} combinations by true ${u.metric} per send.`,
    );
  }
  return parts.join(" ");
}
