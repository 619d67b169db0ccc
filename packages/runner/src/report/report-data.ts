// Everything the report shows, computed from the state directory: reward per customer by group over time
// and overall, uplift against each control group, option shares, learned effects and sample explanations.
import { type BrazeComparison, brazeComparison } from "../data-series/reconciliation.js";
import { loadPolicy } from "../policy-state.js";
import type { Group } from "../state/decision-log.js";
import type { RunnerState } from "../state/open-state.js";
import type { UseCase } from "../use-case/compile.js";
import { learnedEffects, type SegmentEffects } from "./effects.js";
import { differenceEstimate, type Estimate, meanEstimate } from "./stats.js";

export const GROUPS: readonly Group[] = ["kairos", "random", "bau", "holdout"];

/** The report's content. */
export interface ReportData {
  useCaseId: string;
  metric: string;
  generatedAt: number;
  /** Per day of decision: each group's reward per customer (customers whose reward is final). */
  days: { day: string; decided: Partial<Record<Group, number>>; groups: Partial<Record<Group, Estimate>> }[];
  /** All days pooled, the customer as unit: each customer's mean reward over their final decisions. */
  overall: Partial<Record<Group, Estimate>>;
  /** Kairos minus each control group (absolute, reward units), with the relative change as a point estimate. */
  uplift: { control: Group; difference: Estimate; relative: number }[];
  /** Kairos decisions per dimension and option: overall, first and last three days, per segment. */
  shares: {
    dimension: string;
    overall: Record<string, number>;
    firstDays: Record<string, number>;
    lastDays: Record<string, number>;
    bySegment: { segment: string; n: number; shares: Record<string, number> }[];
  }[];
  segmentBy?: string;
  effects: SegmentEffects[];
  explanations: {
    decisionId: string;
    context: Record<string, unknown>;
    action: unknown;
    explanation: unknown;
  }[];
  model: { snapshot: number; version: number; reason: string } | null;
  /** Decisions sent or held whose reward is not final yet (window still open). */
  pending: number;
  /** Braze's data_series against Kairos' own counts, per day and campaign/Canvas (validation only). */
  braze: BrazeComparison;
}

interface Row {
  day: string;
  grp: Group;
  external_id: string;
  reward: number | null;
  status: string;
}

/** Gathers the report's data (reads only). */
export function reportData(useCase: UseCase, state: RunnerState, now: number): ReportData {
  const rows = state.db
    .prepare(
      `SELECT d.day, d.grp, d.external_id, d.status, r.reward FROM decisions d
       LEFT JOIN rewards r ON r.decision_id = d.decision_id ORDER BY d.day`,
    )
    .all() as Row[];
  const byDay = new Map<
    string,
    { decided: Partial<Record<Group, number>>; rewards: Partial<Record<Group, number[]>> }
  >();
  const perCustomer = new Map<string, { group: Group; sum: number; n: number }>();
  let pending = 0;
  for (const r of rows) {
    let d = byDay.get(r.day);
    if (!d) byDay.set(r.day, (d = { decided: {}, rewards: {} }));
    d.decided[r.grp] = (d.decided[r.grp] ?? 0) + 1;
    if (r.status !== "sent" && r.status !== "held") continue;
    if (r.reward === null) {
      pending++;
      continue;
    }
    (d.rewards[r.grp] ??= []).push(r.reward);
    const c = perCustomer.get(r.external_id) ?? { group: r.grp, sum: 0, n: 0 };
    c.sum += r.reward;
    c.n++;
    perCustomer.set(r.external_id, c);
  }
  const days = [...byDay].map(([day, d]) => ({
    day,
    decided: d.decided,
    groups: Object.fromEntries(
      Object.entries(d.rewards).map(([g, values]) => [g, meanEstimate(values)]),
    ) as Partial<Record<Group, Estimate>>,
  }));
  const customerMeans: Partial<Record<Group, number[]>> = {};
  for (const c of perCustomer.values()) (customerMeans[c.group] ??= []).push(c.sum / c.n);
  const overall: Partial<Record<Group, Estimate>> = {};
  for (const g of GROUPS) if (customerMeans[g]?.length) overall[g] = meanEstimate(customerMeans[g]);
  const uplift = GROUPS.filter((g) => g !== "kairos" && overall[g] && overall.kairos).map((g) => ({
    control: g,
    difference: differenceEstimate(overall.kairos!, overall[g]!),
    relative: (overall.kairos!.mean - overall[g]!.mean) / Math.abs(overall[g]!.mean),
  }));
  return {
    useCaseId: useCase.id,
    metric: useCase.metric.name,
    generatedAt: now,
    days,
    overall,
    uplift,
    ...sharesAndEffects(useCase, state, now),
    explanations: explanations(state),
    model: modelInfo(state),
    pending,
    braze: brazeComparison(useCase, state, now),
  };
}

function sharesAndEffects(
  useCase: UseCase,
  state: RunnerState,
  now: number,
): Pick<ReportData, "shares" | "segmentBy" | "effects"> {
  const decisions = state.db
    .prepare(
      "SELECT day, action, context FROM decisions WHERE grp = 'kairos' AND status <> 'failed' ORDER BY day",
    )
    .all() as { day: string; action: string; context: string }[];
  const parsed = decisions.map((d) => ({
    day: d.day,
    action: JSON.parse(d.action) as Record<string, string | number>,
    context: JSON.parse(d.context) as Record<string, unknown>,
  }));
  const dayList = [...new Set(parsed.map((d) => d.day))];
  const first = new Set(dayList.slice(0, 3));
  const last = new Set(dayList.slice(-3));
  const segmentBy =
    useCase.file.report.segmentBy ?? useCase.file.features.find((f) => f.type === "categorical")?.name;
  const shareOf = (list: typeof parsed, dim: string): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const d of list) counts[String(d.action[dim])] = (counts[String(d.action[dim])] ?? 0) + 1;
    return Object.fromEntries(
      useCase.space.options[useCase.space.dimensions.indexOf(dim)]!.map((o) => [
        String(o),
        list.length ? (counts[String(o)] ?? 0) / list.length : 0,
      ]),
    );
  };
  const segments = segmentBy
    ? [...new Set(parsed.map((d) => String(d.context[segmentBy] ?? "(missing)")))].sort()
    : [];
  const shares = useCase.space.dimensions.map((dim) => ({
    dimension: dim,
    overall: shareOf(parsed, dim),
    firstDays: shareOf(
      parsed.filter((d) => first.has(d.day)),
      dim,
    ),
    lastDays: shareOf(
      parsed.filter((d) => last.has(d.day)),
      dim,
    ),
    bySegment: segments.map((s) => {
      const members = parsed.filter((d) => String(d.context[segmentBy!] ?? "(missing)") === s);
      return { segment: s, n: members.length, shares: shareOf(members, dim) };
    }),
  }));
  // The model's view, on the customers of the latest day (at most 300, every group: the same population).
  const latest = state.db.prepare("SELECT MAX(day) FROM decisions").pluck().get() as string | null;
  const contexts = latest
    ? (
        state.db
          .prepare("SELECT context FROM decisions WHERE day = ? LIMIT 300")
          .pluck()
          .all(latest) as string[]
      ).map((c) => JSON.parse(c) as Record<string, unknown>)
    : [];
  const effects =
    contexts.length && state.snapshots.latest()
      ? learnedEffects(useCase, loadPolicy(useCase, state.snapshots, now, false), contexts)
      : [];
  return { shares, segmentBy, effects };
}

function explanations(state: RunnerState): ReportData["explanations"] {
  const rows = state.db
    .prepare(
      `SELECT decision_id, context, action, explanation FROM decisions WHERE explanation IS NOT NULL
       AND day = (SELECT MAX(day) FROM decisions WHERE explanation IS NOT NULL) LIMIT 5`,
    )
    .all() as { decision_id: string; context: string; action: string; explanation: string }[];
  return rows.map((r) => ({
    decisionId: r.decision_id,
    context: JSON.parse(r.context),
    action: JSON.parse(r.action),
    explanation: JSON.parse(r.explanation),
  }));
}

function modelInfo(state: RunnerState): ReportData["model"] {
  const s = state.snapshots.latest();
  return s ? { snapshot: s.id, version: s.policyVersion, reason: s.reason } : null;
}
