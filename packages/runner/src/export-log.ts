// The decision log joined with its final rewards, as `kairos-decision-log/v1` JSON Lines (the format
// `kairos-sim ope` reads): what production decided, on which context, with which propensity, and what each
// decision earned once its attribution window closed, so off-policy estimators can run on production logs.
import { closeSync, openSync, writeSync } from "node:fs";
import { type BanditPolicy, createPolicy, type Eligibility } from "@kairos/core";
import { groupPolicies } from "./decide.js";
import { eligibilityFor } from "./eligibility.js";
import type { Group, LoggedDecision } from "./state/decision-log.js";
import type { RunnerState } from "./state/open-state.js";
import type { UseCase } from "./use-case/compile.js";

/** Options of {@link exportDecisionLog}. */
export interface ExportLogOptions {
  /** First day (inclusive, `YYYY-MM-DD`); default the first logged. */
  from?: string;
  /** Last day (inclusive); default the last logged. */
  to?: string;
  /** Groups whose decisions are exported (default Kairos, random and business as usual). */
  groups?: readonly Exclude<Group, "holdout">[];
  /** Also write each decision's whole distribution (`probabilities`) recomputed from its model (default true). */
  probabilities?: boolean;
}

/** What an export wrote and what it left out. */
export interface ExportLogSummary {
  /** Decisions written, per group. */
  exported: Record<string, number>;
  /** Decisions of the selected days and groups left out, by reason. */
  leftOut: {
    /** Never sent (failed, or not settled yet). */
    notSent: number;
    /**
     * Sent, but the attribution window had not closed by the last learning step. Left out even when a
     * reward is already final (a conversion can be before its window closes, a zero cannot): keeping those
     * would select decisions by their outcome and bias every estimate upwards.
     */
    windowOpen: number;
    /** The window closed before the last learning step, yet no reward was learned (should not happen). */
    rewardMissing: number;
    /** No propensity in (0, 1] (the format requires one). */
    noPropensity: number;
    /** The action uses an option the use case no longer has. */
    retiredOption: number;
  };
  /**
   * The deciding policy's distributions, recomputed from the model that decided (its snapshot, the random or
   * business-as-usual policy): `written` when it gives the logged action a positive probability, of which
   * `exact` give it exactly the logged propensity. Where core estimates Thompson sampling's probabilities by
   * Monte Carlo (constraints coupling dimensions) the propensity and the distribution are two estimates of
   * the same probability: `ratio` is the 5th and 95th percentile of π(logged action) / propensity over the
   * written ones. `notReproducible`: no snapshot of the decision's model version, or a distribution giving
   * the logged action no chance (a model rolled back, a UCB kind whose decisions in a batch count each
   * other): written without `probabilities`.
   */
  probabilities: {
    written: number;
    exact: number;
    notReproducible: number;
    ratio: [number, number] | null;
  };
}

/** A logged decision as the export reads it: the log's fields (action and context as stored), its reward and attributes. */
type JoinedRow = Pick<
  LoggedDecision,
  "decisionId" | "day" | "externalId" | "group" | "propensity" | "policyVersion" | "status" | "sentAt"
> & { action: string | null; context: string; reward: number | null; attrs: string | null };

/** Relative difference below which a recomputed probability is the logged propensity (rounding). */
const SAME_PROBABILITY = 1e-9;

/**
 * Writes the decision log of the selected days and groups, joined with the final rewards the runner
 * learned, to `file` as `kairos-decision-log/v1`: a header (the use case's action space and features, the
 * policy kind), then one line per sent decision whose attribution window closed by the last learning step: `decisionId`, `day`, `customer`,
 * `group`, `policyVersion`, `context`, `action`, `propensity`, `reward` (in the metric's units), the
 * `eligibility` the decision was made under (from the day's stored attributes) and `probabilities`.
 */
export function exportDecisionLog(
  useCase: UseCase,
  state: RunnerState,
  file: string,
  options: ExportLogOptions = {},
): ExportLogSummary {
  const groups = options.groups ?? ["kairos", "random", "bau"];
  const summary: ExportLogSummary = {
    exported: Object.fromEntries(groups.map((g) => [g, 0])),
    leftOut: { notSent: 0, windowOpen: 0, rewardMissing: 0, noPropensity: 0, retiredOption: 0 },
    probabilities: { written: 0, exact: 0, notReproducible: 0, ratio: null },
  };
  const space = useCase.space;
  const distributions = options.probabilities === false ? undefined : new Distributions(useCase, state);
  const header = {
    format: "kairos-decision-log/v1",
    policy: useCase.policyConfig.kind,
    useCase: useCase.id,
    groups,
    actionSpace: {
      dimensions: useCase.file.dimensions,
      constraints: useCase.file.constraints,
      ...(useCase.file.attributes ? { attributes: useCase.file.attributes } : {}),
    },
    context: { features: useCase.file.features },
  };
  const rows = state.db
    .prepare(
      `SELECT d.decision_id AS decisionId, d.day, d.external_id AS externalId, d.grp AS "group", d.action,
         d.propensity, d.policy_version AS policyVersion, d.context, d.status, d.sent_at AS sentAt, r.reward,
         a.attrs
       FROM decisions d
       LEFT JOIN rewards r ON r.decision_id = d.decision_id
       LEFT JOIN audience a ON a.day = d.day AND a.external_id = d.external_id
       WHERE d.day >= ? AND d.day <= ? AND d.grp IN (${groups.map(() => "?").join(",")})
       ORDER BY d.day, d.decision_id`,
    )
    .iterate(options.from ?? "", options.to ?? "\uffff", ...groups) as IterableIterator<JoinedRow>;
  // Windows that closed by the last learning step have their final reward, zero or not, in the state.
  const learnedAt = state.db
    .prepare("SELECT MAX(created_at) FROM snapshots WHERE reason = 'learned'")
    .pluck()
    .get() as number | null;
  const windowMs = useCase.metric.windowMs;
  const ratios: number[] = [];
  const fd = openSync(file, "w");
  let buffer = `${JSON.stringify(header)}\n`;
  try {
    for (const r of rows) {
      if (r.status !== "sent" || r.action === null) {
        summary.leftOut.notSent++;
        continue;
      }
      if (learnedAt === null || r.sentAt === null || r.sentAt + windowMs > learnedAt) {
        summary.leftOut.windowOpen++;
        continue;
      }
      if (r.reward === null) {
        summary.leftOut.rewardMissing++;
        continue;
      }
      if (r.propensity === null || !(r.propensity > 0 && r.propensity <= 1)) {
        summary.leftOut.noPropensity++;
        continue;
      }
      const action = JSON.parse(r.action) as Record<string, string | number>;
      let index: number;
      try {
        index = space.indexOf(action);
      } catch {
        summary.leftOut.retiredOption++;
        continue;
      }
      const context = JSON.parse(r.context) as Record<string, unknown>;
      // Eligibility rules read the day's stored attributes; a real-time decision has none stored, and its
      // logged features stand in for them.
      const eligibility = eligibilityFor(
        useCase.file.eligibility,
        r.attrs === null ? context : (JSON.parse(r.attrs) as Record<string, unknown>),
      );
      const line: Record<string, unknown> = {
        decisionId: r.decisionId,
        day: r.day,
        customer: r.externalId,
        group: r.group,
        policyVersion: r.policyVersion,
        context,
        action,
        propensity: r.propensity,
        reward: r.reward,
      };
      if (eligibility) line.eligibility = eligibility;
      const pi = distributions?.of(r, context, eligibility);
      if (pi && pi[index]! > 0) {
        line.probabilities = Array.from(pi);
        summary.probabilities.written++;
        const ratio = pi[index]! / r.propensity;
        if (Math.abs(ratio - 1) <= SAME_PROBABILITY) summary.probabilities.exact++;
        ratios.push(ratio);
      } else if (distributions) summary.probabilities.notReproducible++;
      summary.exported[r.group] = (summary.exported[r.group] ?? 0) + 1;
      buffer += `${JSON.stringify(line)}\n`;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = "";
      }
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  if (ratios.length > 0) {
    ratios.sort((x, y) => x - y);
    const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))]!;
    summary.probabilities.ratio = [at(0.05), at(0.95)];
  }
  return summary;
}

/** The distribution each group's policy had over the actions, recomputed (one restored model per snapshot). */
class Distributions {
  /** Restored models by snapshot id; rows come day by day, so only the last few are kept. */
  private readonly models = new Map<number, BanditPolicy>();
  private readonly controls: ReturnType<typeof groupPolicies>;
  private readonly snapshotOf;

  constructor(
    private readonly useCase: UseCase,
    state: RunnerState,
  ) {
    this.controls = groupPolicies(useCase, createPolicy(useCase.policyConfig));
    // The latest snapshot of a version saved by the decision's day: what that day's decisions restored.
    const stmt = state.db.prepare(
      "SELECT id, json FROM snapshots WHERE policy_version = ? AND (day IS NULL OR day <= ?) ORDER BY id DESC LIMIT 1",
    );
    this.snapshotOf = (version: number, day: string) =>
      stmt.get(version, day) as { id: number; json: string } | undefined;
  }

  of(
    r: JoinedRow,
    context: Record<string, unknown>,
    eligibility: Eligibility | undefined,
  ): Float64Array | undefined {
    const policy =
      r.group === "kairos"
        ? this.model(r.policyVersion, r.day)
        : r.group === "holdout"
          ? undefined
          : this.controls[r.group];
    if (!policy) return undefined;
    return policy.actionProbabilities(context, {
      decisionId: r.decisionId,
      ...(eligibility ? { eligibility } : {}),
    });
  }

  private model(version: number | null, day: string): BanditPolicy | undefined {
    const snapshot = version === null ? undefined : this.snapshotOf(version, day);
    if (!snapshot) return undefined;
    let policy = this.models.get(snapshot.id);
    if (!policy) {
      if (this.models.size >= 4) this.models.clear();
      policy = createPolicy(this.useCase.policyConfig);
      policy.restore(snapshot.json, { rename: this.useCase.file.renames });
      this.models.set(snapshot.id, policy);
    }
    return policy;
  }
}
