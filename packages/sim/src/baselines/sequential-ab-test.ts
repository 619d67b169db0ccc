import {
  type ActionRecord,
  type ActionSpace,
  type CompiledEligibility,
  type Context,
  type DecideOptions,
  type Decision,
  type Feedback,
  MergeError,
  NoEligibleActionError,
  type Policy,
  type PolicySnapshot,
  SnapshotMismatchError,
  type UpdateReport,
  ValidationError,
} from "@kairos/core";
import { normalQuantile } from "../stats.js";
import { hashString, keyedStream } from "../streams.js";

/** Mean and standard deviation of the reward of one send, as the test is planned from. */
export interface PlanningStats {
  mean: number;
  sd: number;
}

/** Settings of the sequential A/B test. */
export interface SequentialAbTestConfig {
  actionSpace: ActionSpace;
  /** What is sent before any test has concluded: the business-as-usual combination. */
  start: ActionRecord;
  /** Dimensions in the order they are tested (default: the action space's order). */
  order?: readonly string[];
  /** Smallest relative difference from the control the test is sized to detect (default 0.2: 20%). */
  mde?: number;
  /** Chance of detecting a true difference of `mde` (default 0.8). */
  power?: number;
  /** Two-sided false-positive rate of a stage, split over its comparisons with the control (default 0.05). */
  alpha?: number;
  /**
   * Reward per send of the current campaign, per value of `segmentBy` ("*": everyone): the figures the
   * first stage is planned from. Later stages are planned from the shipped arm's figures in the stage before.
   */
  baseline?: Readonly<Record<string, PlanningStats>>;
  /** Sends per arm, instead of the power calculation. */
  samplesPerArm?: number;
  /** Days after a send its outcome may still arrive: a stage is decided only once they have passed. */
  attributionDays?: number;
  /** Run one test programme per value of this context feature (segment-level A/B test). */
  segmentBy?: string;
  seed?: string | number;
  id?: string;
}

/** One stage of the programme: a test of one dimension's options with the others held at the champion's. */
export interface StageRecord {
  dimension: string;
  /** The arms (the first is the control, the champion going in). */
  arms: ActionRecord[];
  /** Sends per arm the stage was sized for. */
  samplesPerArm: number;
  /** What the stage was planned from. */
  plannedFrom: PlanningStats;
  /** Sends enrolled and outcomes received per arm, and their mean reward. */
  enrolled: number[];
  received: number[];
  means: number[];
  /** Day enrolment started, day it reached the sample size, day the decision took effect (when reached). */
  startDay: number;
  enrolledDay?: number;
  decidedDay?: number;
  /** The best challenger's z statistic against the control, and the threshold it had to clear. */
  z?: number;
  threshold?: number;
  /** The arm shipped (the control unless a challenger won significantly). */
  shipped?: ActionRecord;
}

/** What one segment's (or everyone's, "*") test programme did. */
export interface ProgrammeRecord {
  segment: string;
  champion: ActionRecord;
  stages: StageRecord[];
  /** Whether every dimension has been tested and decided. */
  done: boolean;
}

interface Stage {
  serial: number;
  dimension: string;
  arms: number[];
  codes: Int32Array[];
  samplesPerArm: number;
  plannedFrom: PlanningStats;
  enrolled: number[];
  n: number[];
  sum: number[];
  sumSq: number[];
  startDay: number;
  enrolledDay?: number;
  decidedDay?: number;
  z?: number;
  threshold?: number;
  shipped?: number;
}

interface Programme {
  key: string;
  champion: number;
  /** Index in the test order of the next dimension to test. */
  next: number;
  stage?: Stage;
  history: Stage[];
  plan: PlanningStats | undefined;
}

/**
 * The A/B test a competent marketer runs on many dimensions: one dimension at a time, in sequence, holding
 * the others at the current champion (business as usual to begin with). Each stage tests every feasible
 * option of its dimension against the control, with a sample size per arm from a power calculation
 * (n = 2 (z₁₋α/2m + z_power)² σ² / (mde·μ)², m comparisons with the control, Bonferroni), enrols that many
 * sends per arm, waits until the attribution window of the last send has closed, and ships the best
 * challenger only if it beats the control significantly (Welch z test at the same α/m); otherwise the
 * control stays. Then the next dimension. Everyone else, and everyone once the programme is done, gets
 * the champion (the nearest eligible combination when it is not eligible, e.g. after an unsubscribe).
 *
 * Outcomes are matched to the sends they belong to by `decisionId`; feedback without one counts when its
 * action is an arm of the open stage (an approximation that also counts the champion's sends in the wait).
 */
export class SequentialAbTest implements Policy {
  readonly id: string;
  readonly kind: string;
  private readonly space: ActionSpace;
  private readonly order: number[];
  private readonly seedHash: number;
  private readonly start: number;
  private readonly programmes = new Map<string, Programme>();
  /** Sends enrolled in an open stage, by decision id, until their outcome arrives. */
  private readonly pending = new Map<string, { key: string; serial: number; arm: number }>();
  private serial = 0;
  private version = 0;
  private decisions = 0;
  private readonly mde: number;
  private readonly power: number;
  private readonly alpha: number;
  private readonly window: number;

  constructor(private readonly config: SequentialAbTestConfig) {
    const space = config.actionSpace;
    this.space = space;
    this.kind = config.segmentBy ? "segment-ab-test" : "ab-test";
    this.id = config.id ?? this.kind;
    this.mde = config.mde ?? 0.2;
    this.power = config.power ?? 0.8;
    this.alpha = config.alpha ?? 0.05;
    this.window = config.attributionDays ?? 0;
    if (!(this.mde > 0)) throw new ValidationError("policy.mde", "must be a positive share (0.2 = 20%)");
    if (!(this.power > 0 && this.power < 1)) throw new ValidationError("policy.power", "must be in (0, 1)");
    if (!(this.alpha > 0 && this.alpha < 1)) throw new ValidationError("policy.alpha", "must be in (0, 1)");
    if (!Number.isInteger(this.window) || this.window < 0)
      throw new ValidationError("policy.attributionDays", "must be a whole number of days ≥ 0");
    if (
      config.samplesPerArm !== undefined &&
      !(Number.isInteger(config.samplesPerArm) && config.samplesPerArm >= 1)
    )
      throw new ValidationError("policy.samplesPerArm", "must be a whole number ≥ 1");
    const codes = space.codesOfRecord(config.start, "policy.start");
    if (!space.isFeasible(codes)) throw new ValidationError("policy.start", "breaks an action constraint");
    this.start = space.indexOfCodes(codes);
    this.order = (config.order ?? space.dimensions).map((d, i) => {
      const k = space.dimensionIndex(d);
      if (k < 0) throw new ValidationError(`policy.order[${i}]`, `unknown dimension "${d}"`);
      return k;
    });
    if (config.samplesPerArm === undefined && !config.baseline?.["*"])
      throw new ValidationError("policy.baseline", "needs the current reward per send (mean, sd) to plan");
    this.seedHash = hashString(`${config.seed ?? 0}\u0000${this.id}`);
  }

  /** The design's settings, for reports. */
  settings(): { mde: number; power: number; alpha: number; order: string[]; attributionDays: number } {
    return {
      mde: this.mde,
      power: this.power,
      alpha: this.alpha,
      order: this.order.map((k) => this.space.dimensions[k]!),
      attributionDays: this.window,
    };
  }

  /** What each programme did so far: stages, sample sizes, decisions, the champion. */
  record(): ProgrammeRecord[] {
    return [...this.programmes.values()].map((p) => ({
      segment: p.key,
      champion: this.space.recordOf(p.champion),
      stages: [...p.history, ...(p.stage ? [p.stage] : [])].map((s) => this.stageRecord(s)),
      done: p.stage === undefined && p.next >= this.order.length,
    }));
  }

  /** The combination shipped to each segment ("*": everyone) so far. */
  winnersByRecord(): Record<string, ActionRecord> {
    return Object.fromEntries([...this.programmes].map(([k, p]) => [k, this.space.recordOf(p.champion)]));
  }

  decide(context: Context, options: DecideOptions = {}): Decision {
    const decisionId = options.decisionId ?? `${this.id}-${this.decisions}`;
    this.decisions++;
    const eligibility = this.space.compileEligibility(options.eligibility);
    const programme = this.programmeOf(this.segmentOf(context));
    const stage = programme.stage;
    let actionIndex: number;
    let propensity = 1;
    const open = stage && stage.enrolledDay === undefined ? this.openArms(stage, eligibility) : [];
    if (stage && open.length > 0) {
      const rng = keyedStream(this.seedHash, hashString(decisionId));
      const j = open[Math.floor(rng.next() * open.length)]!;
      propensity = 1 / open.length;
      actionIndex = stage.arms[j]!;
      stage.enrolled[j]!++;
      this.pending.set(decisionId, { key: programme.key, serial: stage.serial, arm: j });
      if (stage.enrolled.every((e) => e >= stage.samplesPerArm)) stage.enrolledDay = this.version;
    } else {
      actionIndex = this.nearestEligible(programme.champion, eligibility);
    }
    const action = this.space.recordOf(actionIndex);
    return {
      decisionId,
      action,
      actionIndex,
      propensity,
      scores: {},
      ranked: [{ action, actionIndex, score: 0 }],
      policyId: this.id,
      policyKind: this.kind,
      policyVersion: this.version,
    };
  }

  /** Probability of each action: uniform over the open stage's eligible arms still enrolling, else the champion. */
  actionProbabilities(context: Context, options: Omit<DecideOptions, "topK"> = {}): Float64Array {
    const eligibility = this.space.compileEligibility(options.eligibility);
    const out = new Float64Array(this.space.size);
    const programme =
      this.programmes.get(this.segmentOf(context)) ?? this.newProgramme(this.segmentOf(context));
    const stage = programme.stage;
    const open = stage && stage.enrolledDay === undefined ? this.openArms(stage, eligibility) : [];
    if (stage && open.length > 0) for (const j of open) out[stage.arms[j]!] = 1 / open.length;
    else {
      try {
        out[this.nearestEligible(programme.champion, eligibility)] = 1;
      } catch (e) {
        if (!(e instanceof NoEligibleActionError)) throw e;
      }
    }
    return out;
  }

  decideBatch(contexts: readonly Context[], options?: DecideOptions | readonly DecideOptions[]): Decision[] {
    return contexts.map((c, i) =>
      this.decide(c, Array.isArray(options) ? (options[i] ?? {}) : ((options as DecideOptions) ?? {})),
    );
  }

  update(feedback: readonly Feedback[]): UpdateReport {
    let applied = 0;
    feedback.forEach((f, i) => {
      if (!Number.isFinite(f.reward))
        throw new ValidationError(`feedback[${i}].reward`, "must be a finite number");
      let stage: Stage | undefined;
      let arm = -1;
      const entry = f.decisionId !== undefined ? this.pending.get(f.decisionId) : undefined;
      if (entry) {
        this.pending.delete(f.decisionId!);
        stage = this.programmes.get(entry.key)?.stage;
        if (stage?.serial === entry.serial) arm = entry.arm;
      } else if (f.decisionId === undefined) {
        stage = this.programmes.get(this.segmentOf(f.context))?.stage;
        const index = typeof f.action === "number" ? f.action : this.space.indexOf(f.action);
        if (stage) arm = stage.arms.indexOf(index);
      }
      if (!stage || arm < 0) return;
      const w = f.weight ?? 1;
      stage.n[arm]! += w;
      stage.sum[arm]! += w * f.reward;
      stage.sumSq[arm]! += w * f.reward * f.reward;
      applied++;
    });
    this.version++;
    // A stage is decided once every enrolled send's attribution window has closed: sends of day d report by
    // the update that ends day d + window.
    for (const p of this.programmes.values()) {
      const s = p.stage;
      if (s?.enrolledDay !== undefined && this.version >= s.enrolledDay + this.window + 1) this.conclude(p);
    }
    return { applied, policyVersion: this.version };
  }

  private segmentOf(context: Context): string {
    if (!this.config.segmentBy) return "*";
    return String((context as Record<string, unknown>)[this.config.segmentBy]);
  }

  private programmeOf(key: string): Programme {
    let p = this.programmes.get(key);
    if (!p) this.programmes.set(key, (p = this.newProgramme(key)));
    return p;
  }

  private newProgramme(key: string): Programme {
    const base = this.config.baseline?.[key] ?? this.config.baseline?.["*"];
    const p: Programme = { key, champion: this.start, next: 0, history: [], plan: base };
    this.openStage(p);
    return p;
  }

  /** Opens the next stage with at least two feasible arms (none once every dimension is done). */
  private openStage(p: Programme): void {
    p.stage = undefined;
    const champion = this.space.codesOf(p.champion);
    while (p.next < this.order.length) {
      const k = this.order[p.next++]!;
      const codes: Int32Array[] = [champion.slice()];
      for (let o = 0; o < this.space.optionCount(k); o++) {
        if (o === champion[k]) continue;
        const c = champion.slice();
        c[k] = o;
        if (this.space.isFeasible(c)) codes.push(c);
      }
      if (codes.length < 2) continue;
      const arms = codes.length;
      const plan = p.plan ?? { mean: Number.NaN, sd: Number.NaN };
      p.stage = {
        serial: this.serial++,
        dimension: this.space.dimensions[k]!,
        arms: codes.map((c) => this.space.indexOfCodes(c)),
        codes,
        samplesPerArm:
          this.config.samplesPerArm ?? samplesPerArm(plan, this.mde, this.power, this.alpha, arms - 1),
        plannedFrom: plan,
        enrolled: new Array(arms).fill(0),
        n: new Array(arms).fill(0),
        sum: new Array(arms).fill(0),
        sumSq: new Array(arms).fill(0),
        startDay: this.version,
      };
      return;
    }
  }

  /** Decides the open stage: the best challenger ships if it beats the control significantly. */
  private conclude(p: Programme): void {
    const s = p.stage!;
    const m = s.arms.length - 1;
    const stat = (j: number) => {
      const n = s.n[j]!;
      const mean = n > 0 ? s.sum[j]! / n : Number.NaN;
      const variance = n > 1 ? Math.max(0, (s.sumSq[j]! - n * mean * mean) / (n - 1)) : Number.NaN;
      return { n, mean, variance };
    };
    let best = -1;
    for (let j = 1; j <= m; j++) if (s.n[j]! > 0 && (best < 0 || stat(j).mean > stat(best).mean)) best = j;
    const threshold = normalQuantile(1 - this.alpha / (2 * m));
    let shipped = 0;
    if (best > 0) {
      const c = stat(0);
      const b = stat(best);
      const z = (b.mean - c.mean) / Math.sqrt(b.variance / b.n + c.variance / c.n);
      s.z = z;
      if (z > threshold) shipped = best;
    }
    s.threshold = threshold;
    s.shipped = s.arms[shipped]!;
    s.decidedDay = this.version;
    p.champion = s.shipped;
    const won = stat(shipped);
    // The next stage is planned from the shipped arm's own figures, when they are usable.
    if (won.n > 1 && won.mean !== 0 && Number.isFinite(won.variance))
      p.plan = { mean: won.mean, sd: Math.sqrt(won.variance) };
    p.history.push(s);
    this.openStage(p);
  }

  private openArms(stage: Stage, eligibility: CompiledEligibility): number[] {
    const open: number[] = [];
    for (let j = 0; j < stage.arms.length; j++)
      if (stage.enrolled[j]! < stage.samplesPerArm && this.space.isFeasible(stage.codes[j]!, eligibility))
        open.push(j);
    return open;
  }

  /** The champion, or the eligible combination differing from it on the fewest dimensions (first in order). */
  private nearestEligible(champion: number, eligibility: CompiledEligibility): number {
    const target = this.space.codesOf(champion);
    if (this.space.isFeasible(target, eligibility)) return champion;
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    this.space.forEachFeasible(eligibility, (codes) => {
      let d = 0;
      for (let k = 0; k < codes.length; k++) if (codes[k] !== target[k]) d++;
      if (d < bestDistance) {
        bestDistance = d;
        best = this.space.indexOfCodes(codes);
      }
      return true;
    });
    if (best < 0) throw new NoEligibleActionError("no combination is eligible for this customer");
    return best;
  }

  private stageRecord(s: Stage): StageRecord {
    return {
      dimension: s.dimension,
      arms: s.arms.map((a) => this.space.recordOf(a)),
      samplesPerArm: s.samplesPerArm,
      plannedFrom: s.plannedFrom,
      enrolled: [...s.enrolled],
      received: [...s.n],
      means: s.n.map((n, j) => (n > 0 ? s.sum[j]! / n : Number.NaN)),
      startDay: s.startDay,
      ...(s.enrolledDay !== undefined ? { enrolledDay: s.enrolledDay } : {}),
      ...(s.decidedDay !== undefined ? { decidedDay: s.decidedDay } : {}),
      ...(s.z !== undefined ? { z: s.z } : {}),
      ...(s.threshold !== undefined ? { threshold: s.threshold } : {}),
      ...(s.shipped !== undefined ? { shipped: this.space.recordOf(s.shipped) } : {}),
    };
  }

  snapshot(): PolicySnapshot {
    return {
      format: "kairos-policy/v1",
      kind: this.kind,
      policyId: this.id,
      version: this.version,
      decisions: this.decisions,
      config: {
        design: "sequential",
        start: this.config.start,
        order: this.order.map((k) => this.space.dimensions[k]),
        mde: this.mde,
        power: this.power,
        alpha: this.alpha,
        attributionDays: this.window,
        segmentBy: this.config.segmentBy ?? null,
      },
      actionSpace: this.space.toConfig(),
      contextSchema: null,
      model: {
        serial: this.serial,
        programmes: [...this.programmes.values()].map((p) => ({
          ...p,
          stage: p.stage && stageJson(p.stage),
          history: p.history.map(stageJson),
        })),
        pending: [...this.pending],
      },
    };
  }

  restore(snapshot: unknown): void {
    const s = snapshot as PolicySnapshot;
    if (s?.format !== "kairos-policy/v1" || s.kind !== this.kind)
      throw new SnapshotMismatchError(`not a ${this.kind} snapshot`);
    if ((s.config as { design?: string })?.design !== "sequential")
      throw new SnapshotMismatchError("not a sequential A/B test snapshot");
    if (JSON.stringify(s.actionSpace) !== JSON.stringify(this.space.toConfig()))
      throw new SnapshotMismatchError("snapshot of another action space");
    const model = s.model as {
      serial: number;
      programmes: (Omit<Programme, "stage" | "history"> & {
        stage?: ReturnType<typeof stageJson>;
        history: ReturnType<typeof stageJson>[];
      })[];
      pending: [string, { key: string; serial: number; arm: number }][];
    };
    const stageOf = (j: ReturnType<typeof stageJson>): Stage => ({
      ...j,
      codes: j.arms.map((a) => this.space.codesOf(a)),
    });
    this.programmes.clear();
    for (const p of model.programmes)
      this.programmes.set(p.key, {
        ...p,
        stage: p.stage ? stageOf(p.stage) : undefined,
        history: p.history.map(stageOf),
      });
    this.pending.clear();
    for (const [k, v] of model.pending) this.pending.set(k, v);
    this.serial = model.serial;
    this.version = s.version;
    this.decisions = s.decisions;
  }

  merge(other: Policy): void {
    throw new MergeError(`a sequential A/B test cannot merge ${other.kind}: its stages are decided in order`);
  }
}

function stageJson(s: Stage): Omit<Stage, "codes"> {
  const { codes: _codes, ...rest } = s;
  return { ...rest, enrolled: [...s.enrolled], n: [...s.n], sum: [...s.sum], sumSq: [...s.sumSq] };
}

/**
 * Sends per arm for a two-sided test of each of `comparisons` challengers against the control at level
 * α/comparisons (Bonferroni) with the given power, to detect a relative difference `mde` of a mean `plan.mean`
 * with standard deviation `plan.sd` per send: 2 (z₁₋α/2m + z_power)² σ² / (mde·μ)², rounded up.
 */
export function samplesPerArm(
  plan: PlanningStats,
  mde: number,
  power: number,
  alpha: number,
  comparisons: number,
): number {
  const za = normalQuantile(1 - alpha / (2 * Math.max(1, comparisons)));
  const zb = normalQuantile(power);
  const delta = mde * Math.abs(plan.mean);
  const n = Math.ceil((2 * (za + zb) ** 2 * plan.sd ** 2) / (delta * delta));
  if (!Number.isFinite(n))
    throw new ValidationError(
      "policy.baseline",
      `cannot size the test from a mean of ${plan.mean} and a standard deviation of ${plan.sd} per send`,
    );
  return Math.max(2, n);
}
