// Today's decisions for the whole audience in one batch per group: Kairos' policy, a uniformly random
// control, business as usual, and a holdout that receives nothing. Decision ids are `<use case>:<day>:<id>`,
// and core keys every draw by them, so deciding the same day again from the same model gives the same
// decisions (a resumed run cannot change what a crashed one was about to send).
import {
  type BanditPolicy,
  type Context,
  ContextEncoder,
  createPolicy,
  type DecideOptions,
  type Decision,
  KairosError,
} from "@kairos/core";
import type { AudienceMember } from "./audience.js";
import { eligibilityFor } from "./eligibility.js";
import type { Group, LoggedDecision } from "./state/decision-log.js";
import type { UseCase } from "./use-case/compile.js";

/** Why a customer got no decision today. */
export type SkipReason = "frequency_cap" | "no_eligible_action" | "bad_attributes";

/** The decisions of a day and the customers left out. */
export interface DayDecisions {
  rows: LoggedDecision[];
  skipped: Record<SkipReason, number>;
  /** The first problem of each skip reason, for the log (no PII: the external id and the field). */
  examples: Partial<Record<SkipReason, string>>;
}

/** The id of a customer's decision on a day. */
export function decisionIdOf(useCase: UseCase, day: string, externalId: string): string {
  return `${useCase.id}:${day}:${externalId}`;
}

/** Decides for `members` (already in their groups); `capped` customers are skipped. */
export function decideDay(
  useCase: UseCase,
  policy: BanditPolicy,
  members: readonly AudienceMember[],
  groups: ReadonlyMap<string, Group>,
  capped: ReadonlySet<string>,
  day: string,
  explainSample = 20,
): DayDecisions {
  const out: DayDecisions = {
    rows: [],
    skipped: { frequency_cap: 0, no_eligible_action: 0, bad_attributes: 0 },
    examples: {},
  };
  const features = useCase.file.features.map((f) => f.name);
  const contextOf = (m: AudienceMember): Record<string, unknown> =>
    Object.fromEntries(features.filter((f) => f in m.attrs).map((f) => [f, m.attrs[f]]));
  // Bad attributes leave a customer out of every group alike, so the groups stay comparable.
  const encoder = new ContextEncoder({ features: useCase.file.features });
  const buffer = new Float64Array(encoder.dimension);
  const byGroup: Record<Group, AudienceMember[]> = { kairos: [], random: [], bau: [], holdout: [] };
  for (const m of members) {
    const g = groups.get(m.externalId) ?? "kairos";
    if (g !== "holdout" && capped.has(m.externalId)) {
      out.skipped.frequency_cap++;
      continue;
    }
    try {
      encoder.encode(contextOf(m), buffer, "attributes");
    } catch (e) {
      if (!(e instanceof KairosError)) throw e;
      out.skipped.bad_attributes++;
      out.examples.bad_attributes ??= `${m.externalId}: ${e.message}`;
      continue;
    }
    byGroup[g].push(m);
  }
  const controls = groupPolicies(useCase, policy);
  let explained = 0;
  for (const group of ["kairos", "random", "bau"] as const) {
    const list = byGroup[group];
    const p = controls[group];
    if (list.length === 0 || !p) continue;
    const contexts = list.map(contextOf);
    const options: DecideOptions[] = list.map((m) => ({
      decisionId: decisionIdOf(useCase, day, m.externalId),
      eligibility: eligibilityFor(useCase.file.eligibility, m.attrs),
      topK: group === "kairos" && explained < explainSample ? 3 : 1,
    }));
    for (const [i, d] of decideAll(p, contexts, options, out).entries()) {
      if (!d) continue;
      const m = list[i]!;
      const explain = group === "kairos" && options[i]!.topK === 3;
      if (explain) explained++;
      out.rows.push({
        decisionId: d.decisionId,
        day,
        externalId: m.externalId,
        group,
        action: d.action,
        actionIndex: d.actionIndex,
        propensity: Number.isFinite(d.propensity) ? d.propensity : null,
        policyVersion: d.policyVersion,
        context: contexts[i]!,
        timeZone: m.timeZone ?? null,
        status: "decided",
        sentAt: null,
        explanation: explain
          ? { scores: d.scores, ranked: d.ranked.map((r) => ({ action: r.action, score: r.score })) }
          : null,
      });
    }
  }
  for (const m of byGroup.holdout)
    out.rows.push({
      decisionId: decisionIdOf(useCase, day, m.externalId),
      day,
      externalId: m.externalId,
      group: "holdout",
      action: null,
      actionIndex: null,
      propensity: null,
      policyVersion: null,
      context: contextOf(m),
      timeZone: m.timeZone ?? null,
      status: "held",
      sentAt: null,
      explanation: null,
    });
  return out;
}

/** The policy of each group that gets an action: Kairos' own, a uniformly random one, business as usual. */
export function groupPolicies(
  useCase: UseCase,
  policy: BanditPolicy,
): Partial<Record<Exclude<Group, "holdout">, BanditPolicy>> {
  const controls: Partial<Record<Group, BanditPolicy>> = {
    kairos: policy,
    random: createPolicy({ kind: "random", actionSpace: useCase.space, seed: `${useCase.id}/random` }),
  };
  const bauAction = useCase.file.groups.bauAction;
  if (bauAction)
    controls.bau = createPolicy({ kind: "fixed", actionSpace: useCase.space, action: bauAction });
  return controls;
}

/**
 * One batch call; if one customer's input breaks it (no eligible action, a bad attribute), decides one by
 * one so only that customer is skipped.
 */
function decideAll(
  policy: BanditPolicy,
  contexts: readonly Context[],
  options: readonly DecideOptions[],
  out: DayDecisions,
): (Decision | undefined)[] {
  try {
    return policy.decideBatch(contexts, options);
  } catch (e) {
    if (!(e instanceof KairosError)) throw e;
  }
  return contexts.map((c, i) => {
    try {
      return policy.decide(c, options[i]);
    } catch (e) {
      if (!(e instanceof KairosError)) throw e;
      const reason: SkipReason = e.code === "no_eligible_action" ? "no_eligible_action" : "bad_attributes";
      out.skipped[reason]++;
      out.examples[reason] ??= `${options[i]!.decisionId}: ${e.message}`;
      return undefined;
    }
  });
}
