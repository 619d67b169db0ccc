import {
  type ActionRecord,
  type ActionSpace,
  type Context,
  type DecideOptions,
  type Decision,
  type Feedback,
  KairosError,
  MergeError,
  NoEligibleActionError,
  type Policy,
  type PolicySnapshot,
  SnapshotMismatchError,
  type UpdateReport,
  ValidationError,
} from "@kairos/core";
import { hashString, keyedStream } from "../streams.js";

/** Settings of the full-factorial A/B test baseline. */
export interface FullFactorialAbTestConfig {
  actionSpace: ActionSpace;
  /** Overnight updates (days) spent exploring before the winner ships. */
  exploreDays: number;
  /** The arms tested; default every feasible combination. */
  arms?: readonly ActionRecord[];
  /** Run one test per value of this context feature (segment-level A/B test). */
  segmentBy?: string;
  seed?: string | number;
  id?: string;
}

interface ArmStats {
  n: Float64Array;
  sum: Float64Array;
}

/**
 * The naive full-factorial A/B test (`ab-test:design=full-factorial`), kept for comparison with earlier
 * results: split traffic uniformly over every feasible combination (or `arms`) for `exploreDays` days, then
 * send the arm with the best observed mean reward to everyone (per segment when `segmentBy` is set). It
 * has no sample-size plan (a few dozen sends per arm on many dimensions), ships the noisiest maximum
 * without a significance test, and decides when enrolment ends, before the attribution window of the
 * last sends has closed (their non-conversions have not arrived yet). See `SequentialAbTest` for
 * the test a competent marketer runs.
 */
export class FullFactorialAbTest implements Policy {
  readonly id: string;
  readonly kind: string;
  private readonly space: ActionSpace;
  private readonly arms: Int32Array;
  private readonly armCodes: Int32Array[];
  private readonly seedHash: number;
  private readonly stats = new Map<string, ArmStats>();
  private winners: Map<string, number[]> | undefined;
  private version = 0;
  private decisions = 0;

  constructor(private readonly config: FullFactorialAbTestConfig) {
    const space = config.actionSpace;
    this.space = space;
    this.kind = config.segmentBy ? "segment-ab-test" : "ab-test";
    this.id = config.id ?? this.kind;
    if (!Number.isInteger(config.exploreDays) || config.exploreDays < 1) {
      throw new ValidationError("policy.days", "must be a positive whole number of days");
    }
    const arms: number[] = [];
    if (config.arms) {
      config.arms.forEach((a, i) => {
        const codes = space.codesOfRecord(a, `policy.arms[${i}]`);
        if (!space.isFeasible(codes))
          throw new ValidationError(`policy.arms[${i}]`, "breaks an action constraint");
        arms.push(space.indexOfCodes(codes));
      });
    } else {
      space.forEachFeasible(space.compileEligibility(undefined), (codes) => {
        arms.push(space.indexOfCodes(codes));
        return true;
      });
    }
    this.arms = Int32Array.from(new Set(arms));
    this.armCodes = Array.from(this.arms, (a) => space.codesOf(a));
    this.seedHash = hashString(`${config.seed ?? 0}\u0000${this.id}`);
  }

  /** The design's settings, for reports. */
  settings(): { exploreDays: number; arms: number } {
    return { exploreDays: this.config.exploreDays, arms: this.arms.length };
  }

  /** Whether the test is still exploring. */
  get exploring(): boolean {
    return this.version < this.config.exploreDays;
  }

  decide(context: Context, options: DecideOptions = {}): Decision {
    const decisionId = options.decisionId ?? `${this.id}-${this.decisions}`;
    this.decisions++;
    const eligibility = this.space.compileEligibility(options.eligibility);
    const allowed: number[] = [];
    for (let j = 0; j < this.arms.length; j++)
      if (this.space.isFeasible(this.armCodes[j]!, eligibility)) allowed.push(j);
    if (allowed.length === 0) throw new NoEligibleActionError("no tested arm is eligible for this customer");
    let pick: number;
    let propensity: number;
    if (this.exploring) {
      const rng = keyedStream(this.seedHash, hashString(decisionId));
      pick = allowed[Math.floor(rng.next() * allowed.length)]!;
      propensity = 1 / allowed.length;
    } else {
      this.winners ??= this.chooseWinners();
      const order = this.winners.get(this.segmentOf(context)) ?? this.winners.get("*")!;
      pick = order.find((j) => allowed.includes(j))!;
      propensity = 1;
    }
    const actionIndex = this.arms[pick]!;
    const action = this.space.recordOf(actionIndex);
    return {
      decisionId,
      action,
      actionIndex,
      propensity,
      scores: {},
      ranked: [{ action, actionIndex, score: this.meanOf("*", pick) }],
      policyId: this.id,
      policyKind: this.kind,
      policyVersion: this.version,
    };
  }

  /** Probability of each action (length actionSpace.size): uniform over eligible arms while exploring, then the winner. */
  actionProbabilities(context: Context, options: Omit<DecideOptions, "topK"> = {}): Float64Array {
    const eligibility = this.space.compileEligibility(options.eligibility);
    const out = new Float64Array(this.space.size);
    const allowed: number[] = [];
    for (let j = 0; j < this.arms.length; j++)
      if (this.space.isFeasible(this.armCodes[j]!, eligibility)) allowed.push(j);
    if (allowed.length === 0) return out;
    if (this.exploring) {
      for (const j of allowed) out[this.arms[j]!] = 1 / allowed.length;
    } else {
      this.winners ??= this.chooseWinners();
      const order = this.winners.get(this.segmentOf(context)) ?? this.winners.get("*")!;
      out[this.arms[order.find((j) => allowed.includes(j))!]!] = 1;
    }
    return out;
  }

  decideBatch(contexts: readonly Context[], options?: DecideOptions | readonly DecideOptions[]): Decision[] {
    return contexts.map((c, i) =>
      this.decide(c, Array.isArray(options) ? (options[i] ?? {}) : ((options as DecideOptions) ?? {})),
    );
  }

  update(feedback: readonly Feedback[]): UpdateReport {
    const rows = feedback.map((f, i) => {
      const index = typeof f.action === "number" ? f.action : this.space.indexOf(f.action);
      const arm = this.arms.indexOf(index);
      if (!Number.isFinite(f.reward))
        throw new ValidationError(`feedback[${i}].reward`, "must be a finite number");
      return { arm, reward: f.reward, weight: f.weight ?? 1, segment: this.segmentOf(f.context) };
    });
    if (this.exploring) {
      for (const r of rows) {
        if (r.arm < 0) continue;
        for (const key of this.config.segmentBy ? ["*", r.segment] : ["*"]) {
          const s = this.statsOf(key);
          s.n[r.arm]! += r.weight;
          s.sum[r.arm]! += r.weight * r.reward;
        }
      }
    }
    this.version++;
    return { applied: rows.length, policyVersion: this.version };
  }

  /** The winning arm of each segment ("*" for everyone), once the test has closed. */
  winnersByRecord(): Record<string, ActionRecord> {
    this.winners ??= this.chooseWinners();
    const out: Record<string, ActionRecord> = {};
    for (const [k, order] of this.winners) out[k] = this.space.recordOf(this.arms[order[0]!]!);
    return out;
  }

  private segmentOf(context: Context): string {
    if (!this.config.segmentBy) return "*";
    return String((context as Record<string, unknown>)[this.config.segmentBy]);
  }

  private statsOf(key: string): ArmStats {
    let s = this.stats.get(key);
    if (!s) {
      s = { n: new Float64Array(this.arms.length), sum: new Float64Array(this.arms.length) };
      this.stats.set(key, s);
    }
    return s;
  }

  private meanOf(key: string, arm: number): number {
    const s = this.stats.get(key);
    return s && s.n[arm]! > 0 ? s.sum[arm]! / s.n[arm]! : 0;
  }

  /** Arms ranked by observed mean (untested arms last), per segment; ties go to the lower index. */
  private chooseWinners(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const key of this.stats.keys()) {
      const s = this.stats.get(key)!;
      const order = Array.from(this.arms, (_, j) => j);
      const score = (j: number) => (s.n[j]! > 0 ? s.sum[j]! / s.n[j]! : Number.NEGATIVE_INFINITY);
      order.sort((a, b) => score(b) - score(a) || a - b);
      out.set(key, order);
    }
    if (!out.has("*"))
      out.set(
        "*",
        Array.from(this.arms, (_, j) => j),
      );
    return out;
  }

  snapshot(): PolicySnapshot {
    return {
      format: "kairos-policy/v1",
      kind: this.kind,
      policyId: this.id,
      version: this.version,
      decisions: this.decisions,
      config: { exploreDays: this.config.exploreDays, segmentBy: this.config.segmentBy ?? null },
      actionSpace: this.space.toConfig(),
      contextSchema: null,
      model: {
        arms: Array.from(this.arms),
        stats: Object.fromEntries(
          [...this.stats].map(([k, s]) => [k, { n: Array.from(s.n), sum: Array.from(s.sum) }]),
        ),
      },
    };
  }

  restore(snapshot: unknown): void {
    const s = snapshot as PolicySnapshot;
    if (s?.format !== "kairos-policy/v1" || s.kind !== this.kind)
      throw new SnapshotMismatchError(`not a ${this.kind} snapshot`);
    if (JSON.stringify(s.actionSpace) !== JSON.stringify(this.space.toConfig())) {
      throw new SnapshotMismatchError("snapshot of another action space");
    }
    const model = s.model as { arms: number[]; stats: Record<string, { n: number[]; sum: number[] }> };
    if (JSON.stringify(model.arms) !== JSON.stringify(Array.from(this.arms)))
      throw new SnapshotMismatchError("other arms");
    this.stats.clear();
    for (const [k, v] of Object.entries(model.stats))
      this.stats.set(k, { n: Float64Array.from(v.n), sum: Float64Array.from(v.sum) });
    this.version = s.version;
    this.decisions = s.decisions;
    this.winners = undefined;
  }

  merge(other: Policy): void {
    if (
      !(other instanceof FullFactorialAbTest) ||
      other.kind !== this.kind ||
      other.arms.length !== this.arms.length
    ) {
      throw new MergeError(`cannot merge ${other.kind} into ${this.kind}`);
    }
    if (this.winners) throw new KairosError("test_closed", "the test has closed; its winner is fixed");
    for (const [k, s] of other.stats) {
      const mine = this.statsOf(k);
      for (let j = 0; j < s.n.length; j++) {
        mine.n[j]! += s.n[j]!;
        mine.sum[j]! += s.sum[j]!;
      }
    }
  }
}
