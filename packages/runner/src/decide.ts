// Today's decisions: Kairos' policy, a uniformly random control, business as usual, and a holdout that
// receives nothing. Decision ids are `<use case>:<day>:<id>`, and core keys every draw by them, so deciding
// the same day again from the same model gives the same decisions (a resumed run cannot change what a
// crashed one was about to send), in any order, in one thread or several (see decide-step.ts).
import {
  type ActionRecord,
  type BanditPolicy,
  ContextEncoder,
  createPolicy,
  KairosError,
  type PolicySnapshot,
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

/**
 * What deciding needs of a use case: a worker thread builds it from plain data, without compiling the whole
 * file (whose metric alone takes a second to load).
 */
export interface DecideSpec {
  readonly id: string;
  readonly space: UseCase["space"];
  readonly policyConfig: UseCase["policyConfig"];
  readonly file: Pick<UseCase["file"], "features" | "eligibility" | "groups">;
}

/** The id of a customer's decision on a day. */
export function decisionIdOf(useCase: Pick<DecideSpec, "id">, day: string, externalId: string): string {
  return `${useCase.id}:${day}:${externalId}`;
}

/** The policy of each group that gets an action: Kairos' own, a uniformly random one, business as usual. */
export function groupPolicies(
  useCase: DecideSpec,
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

/** A copy of the policy made from its snapshot: what every thread decides with, so they all decide alike. */
export function policyFromSnapshot(useCase: DecideSpec, snapshot: PolicySnapshot): BanditPolicy {
  const policy = createPolicy(useCase.policyConfig);
  policy.restore(snapshot);
  return policy;
}

/** One customer to decide for. */
export interface MemberToDecide {
  externalId: string;
  timeZone: string | null;
  attrs: Record<string, unknown>;
  group: Group;
  /** Keep the decision's explanation (option scores, runners-up): a sample of Kairos decisions. */
  explain: boolean;
}

/** A customer left out, and why (no PII: the external id and the field). */
export interface Skip {
  skip: Exclude<SkipReason, "frequency_cap">;
  example: string;
}

/**
 * Decides for one customer at a time, with the policy of their group. Bad attributes leave a customer out
 * of every group alike (the holdout included), so the groups stay comparable.
 */
export class Decider {
  private readonly encoder: ContextEncoder;
  private readonly buffer: Float64Array;
  private readonly features: string[];
  private readonly policies: ReturnType<typeof groupPolicies>;
  private readonly actions = new Map<number, ActionRecord>();

  constructor(
    private readonly useCase: DecideSpec,
    policy: BanditPolicy,
    private readonly day: string,
  ) {
    this.encoder = new ContextEncoder({ features: useCase.file.features });
    this.buffer = new Float64Array(this.encoder.dimension);
    this.features = useCase.file.features.map((f) => f.name);
    this.policies = groupPolicies(useCase, policy);
  }

  /** The features the policy reads, from the customer's attributes. */
  contextOf(attrs: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.features) if (f in attrs) out[f] = attrs[f];
    return out;
  }

  decide(m: MemberToDecide): LoggedDecision | Skip {
    const decisionId = decisionIdOf(this.useCase, this.day, m.externalId);
    const context = this.contextOf(m.attrs);
    try {
      this.encoder.encode(context, this.buffer, "attributes");
    } catch (e) {
      if (!(e instanceof KairosError)) throw e;
      return { skip: "bad_attributes", example: `${m.externalId}: ${e.message}` };
    }
    // Rows are built field by field: an object spread here cost more than the decision itself.
    const policy = m.group === "holdout" ? undefined : this.policies[m.group];
    if (!policy)
      return {
        decisionId,
        day: this.day,
        externalId: m.externalId,
        group: "holdout",
        action: null,
        actionIndex: null,
        propensity: null,
        policyVersion: null,
        context,
        timeZone: m.timeZone,
        status: "held",
        sentAt: null,
        explanation: null,
      };
    let d: ReturnType<BanditPolicy["decide"]>;
    try {
      d = policy.decide(context, {
        decisionId,
        eligibility: eligibilityFor(this.useCase.file.eligibility, m.attrs),
        topK: m.explain ? 3 : 1,
      });
    } catch (e) {
      if (!(e instanceof KairosError)) throw e;
      const skip = e.code === "no_eligible_action" ? "no_eligible_action" : "bad_attributes";
      return { skip, example: `${decisionId}: ${e.message}` };
    }
    // Many customers share a handful of actions: one record per action.
    let action = this.actions.get(d.actionIndex);
    if (!action) this.actions.set(d.actionIndex, (action = d.action));
    return {
      decisionId,
      day: this.day,
      externalId: m.externalId,
      group: m.group,
      action,
      actionIndex: d.actionIndex,
      propensity: Number.isFinite(d.propensity) ? d.propensity : null,
      policyVersion: d.policyVersion,
      context,
      timeZone: m.timeZone,
      status: "decided",
      sentAt: null,
      explanation: m.explain
        ? { scores: d.scores, ranked: d.ranked.map((r) => ({ action: r.action, score: r.score })) }
        : null,
    };
  }
}

/** Kairos decisions of a day logged with their explanation (topK 3, option scores): the report's sample. */
export const EXPLAIN_SAMPLE = 20;

/**
 * Decides for `members` (already in their groups) in memory, as the dry run does; `capped` customers are
 * skipped; the first `explainSample` Kairos customers keep their explanation.
 */
export function decideDay(
  useCase: UseCase,
  policy: BanditPolicy,
  members: readonly AudienceMember[],
  groups: ReadonlyMap<string, Group>,
  capped: ReadonlySet<string>,
  day: string,
  explainSample = EXPLAIN_SAMPLE,
): DayDecisions {
  const out: DayDecisions = {
    rows: [],
    skipped: { frequency_cap: 0, no_eligible_action: 0, bad_attributes: 0 },
    examples: {},
  };
  const decider = new Decider(useCase, policy, day);
  let explained = 0;
  for (const m of members) {
    const group = groups.get(m.externalId) ?? "kairos";
    if (group !== "holdout" && capped.has(m.externalId)) {
      out.skipped.frequency_cap++;
      continue;
    }
    const explain = group === "kairos" && explained < explainSample;
    if (explain) explained++;
    const r = decider.decide({
      externalId: m.externalId,
      timeZone: m.timeZone ?? null,
      attrs: m.attrs,
      group,
      explain,
    });
    if ("skip" in r) {
      out.skipped[r.skip]++;
      out.examples[r.skip] ??= r.example;
    } else out.rows.push(r);
  }
  return out;
}
