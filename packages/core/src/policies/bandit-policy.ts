import { z } from "zod";
import {
  type ActionSpace,
  type CompiledEligibility,
  type Eligibility,
  optionValueSchema,
} from "../action-space.js";
import type { Context, ContextEncoder } from "../context.js";
import {
  issuePath,
  KairosError,
  MergeError,
  NoEligibleActionError,
  SnapshotMismatchError,
  ValidationError,
  validationErrorFrom,
} from "../errors.js";
import { DecisionScope, type ExplorationRule } from "../exploration/scope.js";
import type { Blocks } from "../models/blocks.js";
import type { RewardModel, ScoreRequest } from "../models/reward-model.js";
import type {
  AttributeEffects,
  DecideOptions,
  Decision,
  Feedback,
  Policy,
  PolicySnapshot,
  RankedAction,
  RestoreOptions,
  UpdateReport,
} from "../policy.js";
import { KeyHash } from "../rng.js";
import type { ActionSearch } from "../search/action-search.js";
import { type CapturedScores, Explainer } from "./explanation.js";
import { PolicyDecision } from "./policy-decision.js";
import { unitRemap } from "./snapshot-remap.js";

/** The parts a policy is assembled from (see createPolicy for the presets). */
export interface PolicyParts {
  id: string;
  kind: string;
  seed: string | number;
  space: ActionSpace;
  encoder: ContextEncoder;
  rule: ExplorationRule;
  /** Builds a fresh, empty reward model (absent for random and fixed). */
  makeModel?: () => RewardModel;
  makeSearch?: (blocks: Blocks) => ActionSearch;
  /** Declared reward range; feedback outside it is rejected. */
  rewardRange?: readonly [number, number];
  /** JSON form of the configuration, stored in snapshots and compared by merge. */
  config: unknown;
}

/** Restores so far in this process per snapshot (id, seed, version, decisions): the next one's number. */
const restoreCounts = new Map<string, number>();

/**
 * The instance number of a policy restored from a snapshot: how many policies were restored from the same
 * snapshot before it in this process. Default decision ids include it (from the second on), so replicas
 * restored from one snapshot do not repeat each other's draws; a policy built fresh is instance 0, so two
 * policies built alike decide alike, and a rerun of the same program repeats its decisions.
 */
function nextInstance(id: string, seed: string | number, version: number, decisions: number): number {
  const key = `${id}\u0000${typeof seed}\u0000${seed}\u0000${version}\u0000${decisions}`;
  const n = restoreCounts.get(key) ?? 0;
  restoreCounts.set(key, n + 1);
  return n;
}

/** Largest action space for which {@link BanditPolicy.actionProbabilities} enumerates actions. */
export const PROBABILITY_LIMIT = 10_000;

const snapshotSchema = z.strictObject({
  format: z.literal("kairos-policy/v1"),
  kind: z.string(),
  policyId: z.string(),
  version: z.number().int().nonnegative(),
  decisions: z.number().int().nonnegative(),
  config: z.unknown(),
  actionSpace: z.unknown(),
  contextSchema: z.unknown(),
  model: z.unknown(),
});

/**
 * A validated feedback batch: item i's encoded context at i·d in `contexts`; its action's index (also when
 * given as a record), reward and weight at i in the others (arrays: no object or view per item).
 */
interface PreparedFeedback {
  contexts: Float64Array;
  actions: Float64Array;
  rewards: Float64Array;
  weights: Float64Array;
}

const feedbackSchema = z.object({
  context: z.unknown(),
  action: z.union([z.number(), z.record(z.string(), optionValueSchema)]),
  reward: z.number().refine(Number.isFinite, "must be a finite number"),
  propensity: z.number().min(0).max(1).optional(),
  weight: z.number().positive().refine(Number.isFinite, "must be finite").optional(),
  decisionId: z.string().optional(),
});

const MEAN: ScoreRequest = { mode: "mean" };

/** One decision's validated input. */
interface PreparedDecision {
  x: Float64Array;
  eligibility: CompiledEligibility;
  topK: number;
  decisionId: string | undefined;
}

/** Contexts of a batch whose posterior widths are computed together (see decideBatch). */
const PREPARED_SLICE = 256;

/** The last eligibility compiled during one decideBatch call, by object identity. */
interface EligibilityCache {
  source: Eligibility | undefined;
  compiled: CompiledEligibility | undefined;
}

/**
 * Whether a feedback item is valid as {@link feedbackSchema} would parse it, its action an index or an
 * object (whose dimensions and options {@link ActionSpace.codesOfRecord} checks next): a structural check
 * of a few typeof tests. Items that fail it go through the schema, which names the bad field.
 */
function isPlainFeedback(item: unknown): item is Feedback {
  if (item === null || typeof item !== "object") return false;
  const { action, reward, propensity, weight, decisionId } = item as Record<string, unknown>;
  return (
    // An index, or a record (codesOfRecord checks its dimensions and options, naming the field).
    ((typeof action === "number" && Number.isFinite(action)) ||
      (typeof action === "object" && action !== null && !Array.isArray(action))) &&
    typeof reward === "number" &&
    Number.isFinite(reward) &&
    (propensity === undefined || (typeof propensity === "number" && propensity >= 0 && propensity <= 1)) &&
    (weight === undefined || (typeof weight === "number" && weight > 0 && Number.isFinite(weight))) &&
    (decisionId === undefined || typeof decisionId === "string")
  );
}

/**
 * A policy = a reward model with uncertainty + an exploration rule + a search over the action space.
 * This one class serves every preset; it validates at the boundary and leaves the arithmetic to the parts.
 */
export class BanditPolicy implements Policy {
  readonly id: string;
  readonly kind: string;
  readonly space: ActionSpace;
  readonly encoder: ContextEncoder;
  private model: RewardModel | undefined;
  private readonly search: ActionSearch | undefined;
  private readonly parts: PolicyParts;
  private readonly unitScores: Float64Array;
  /** The units of the action being counted as pending or learned (one at a time). */
  private readonly actionUnits: Int32Array;
  /** The codes of a feedback item's action while it is validated or learned (one at a time). */
  private readonly feedbackCodes: Int32Array;
  /**
   * The encoded context of the decision under way, or of the feedback item being learned (one array for
   * all: decisions and updates are synchronous, and the models copy what they keep of it).
   */
  private readonly contextVector: Float64Array;
  private readonly explainer: Explainer | undefined;
  /** The scope of the decision under way, started anew for each. */
  private readonly decisionScope: DecisionScope;
  /**
   * The generators of the decision under way and of its propensity estimate, restarted per decision (no
   * decision keeps its generator once made), from the hash of `${seed}\u0000${decisionId}` (decisionKey)
   * and of that followed by "#propensity".
   */
  private readonly decisionKey = new KeyHash();
  private readonly propensityKey = new KeyHash();
  private readonly decisionStream = new KeyHash().rng();
  private readonly propensityStream = new KeyHash().rng();
  /** Made once: a decision's scope calls it when its rule first asks for propensity draws. */
  private readonly makePropensityRng = () =>
    this.propensityKey.copy(this.decisionKey).text("#propensity").rng(this.propensityStream);
  /** The generated ids' prefix and the hash of `${seed}\u0000${prefix}-`, as of instance `idInstance`. */
  private idPrefix = "";
  private readonly idKey = new KeyHash();
  private idInstance = -1;
  private version = 0;
  private decisions = 0;
  /**
   * 0 for a policy built fresh; for one restored from a snapshot, the number of policies restored from the
   * same snapshot before it in this process. Decisions made without a decision id are keyed by it, so
   * replicas draw independently.
   */
  instance = 0;

  constructor(parts: PolicyParts) {
    this.parts = parts;
    this.id = parts.id;
    this.kind = parts.kind;
    this.space = parts.space;
    this.encoder = parts.encoder;
    this.model = parts.makeModel?.();
    this.search = this.model && parts.makeSearch ? parts.makeSearch(this.model.blocks) : undefined;
    this.unitScores = new Float64Array(this.model?.blocks.unitCount ?? 0);
    this.actionUnits = new Int32Array(this.model?.blocks.count ?? 0);
    this.feedbackCodes = new Int32Array(this.space.dimensions.length);
    this.contextVector = new Float64Array(this.encoder.dimension);
    this.explainer = this.model ? new Explainer(this.model.blocks) : undefined;
    this.decisionScope = new DecisionScope(this.space, this.search, this.makePropensityRng, this.unitScores);
  }

  /** Number of update batches learned (the model version stamped on decisions). */
  get policyVersion(): number {
    return this.version;
  }

  /** The reward model (absent for random and fixed policies). */
  get rewardModel(): RewardModel | undefined {
    return this.model;
  }

  /**
   * A decision's scope: its encoded context and compiled eligibility, and its generators (keyed by its id,
   * whose hash is in `decisionKey`).
   */
  private scope(x: Float64Array, eligibility: CompiledEligibility): DecisionScope {
    return this.decisionScope.begin(this.model, x, eligibility, this.decisionKey.rng(this.decisionStream));
  }

  /** Sets `decisionKey` to the hash of a decision id given by the caller. */
  private keyOf(decisionId: string): void {
    this.decisionKey.key(this.parts.seed, decisionId);
  }

  /**
   * Prefix of generated decision ids: id and seed, plus the instance number from the second instance on
   * (made, and hashed into `idKey` with its "-", once per instance).
   */
  private generatedIdPrefix(): string {
    if (this.idInstance !== this.instance) {
      const base = `${this.id}-${this.parts.seed}`;
      this.idPrefix = this.instance === 0 ? base : `${base}-i${this.instance}`;
      this.idKey.key(this.parts.seed, `${this.idPrefix}-`);
      this.idInstance = this.instance;
    }
    return this.idPrefix;
  }

  /** The next generated decision id, `${prefix}-${n}`, its hash in `decisionKey` from the prefix's. */
  private nextGeneratedId(): string {
    const prefix = this.generatedIdPrefix();
    this.decisionKey.copy(this.idKey).digits(this.decisions);
    return `${prefix}-${this.decisions}`;
  }

  /**
   * Validates one decision's input (context, eligibility, topK), encoding the context into `x`; an
   * eligibility identical to the cache's last one is not compiled again.
   */
  private validate(
    context: Context,
    options: DecideOptions,
    field: string,
    x: Float64Array,
    cache?: EligibilityCache,
  ): PreparedDecision {
    const topK = options.topK ?? 1;
    if (!Number.isInteger(topK) || topK < 1)
      throw new ValidationError("options.topK", "must be a positive integer");
    this.encoder.encode(context, x, field);
    let eligibility: CompiledEligibility;
    if (cache && options.eligibility !== undefined && cache.source === options.eligibility) {
      eligibility = cache.compiled!;
    } else {
      eligibility = this.space.compileEligibility(options.eligibility);
      if (cache) {
        cache.source = options.eligibility;
        cache.compiled = eligibility;
      }
    }
    return { x, eligibility, topK, decisionId: options.decisionId };
  }

  decide(context: Context, options: DecideOptions = {}): Decision {
    return this.decideValid(this.validate(context, options, "context", this.contextVector), false);
  }

  /**
   * Decides for a validated input (nothing can fail here but an empty feasible set); `kept`: nothing
   * writes `x` again (a batch's encoded contexts), so the explanation may keep it.
   */
  private decideValid(
    { x, eligibility, topK, decisionId: given }: PreparedDecision,
    kept: boolean,
  ): Decision {
    let decisionId: string;
    if (given === undefined) decisionId = this.nextGeneratedId();
    else this.keyOf((decisionId = given));
    this.decisions++;
    const scope = this.scope(x, eligibility);
    const choice = this.parts.rule.choose(scope, topK);
    if (choice.ranked.length === 0) throw new NoEligibleActionError();
    if (this.parts.rule.countsPending && this.model?.countPending) {
      this.model.countPending(scope.x, this.model.blocks.unitsOf(choice.ranked[0]!.codes, this.actionUnits));
    }
    const ranked: RankedAction[] = new Array(choice.ranked.length);
    for (let i = 0; i < ranked.length; i++) {
      const a = choice.ranked[i]!;
      ranked[i] = { action: this.space.recordOf(a.index), actionIndex: a.index, score: a.score };
    }
    // What the explanation needs, now (the model may change before it is read): the context and the
    // model's frozen means, computed from on first read, where the context stays as it is (a copy would
    // cost more than the capture); else the best means, now.
    const explainer = this.explainer;
    let captured: CapturedScores | undefined;
    if (explainer) {
      const means = kept ? this.model!.freezeMeans?.() : undefined;
      captured = means ? { means, x, eligibility } : explainer.capture(this.meansOf(x), eligibility);
    }
    return new PolicyDecision(
      decisionId,
      ranked[0]!.action,
      ranked[0]!.actionIndex,
      choice.propensity,
      choice.propensityError,
      ranked,
      this.id,
      this.kind,
      this.version,
      explainer,
      captured,
    );
  }

  /**
   * Decides for each context in turn, as a loop of {@link decide} with the same options would (same ids,
   * same decisions), once every entry is valid: a bad context or option anywhere in the batch throws before
   * any decision is made. An eligibility object shared by consecutive entries (or given once for all) is
   * validated and compiled once: nothing can change it during the call.
   */
  decideBatch(contexts: readonly Context[], options?: DecideOptions | readonly DecideOptions[]): Decision[] {
    if (!Array.isArray(contexts)) throw new ValidationError("contexts", "must be an array");
    const cache: EligibilityCache = { source: undefined, compiled: undefined };
    // One buffer holds every encoded context: a small Float64Array of its own costs ~20 times a view.
    const d = this.encoder.dimension;
    const encoded = new Float64Array(contexts.length * d);
    const prepared = contexts.map((context, i) => {
      const o = Array.isArray(options) ? (options[i] ?? {}) : ((options as DecideOptions | undefined) ?? {});
      const x = new Float64Array(encoded.buffer, i * d * 8, d);
      return this.validate(context, o, `contexts[${i}]`, x, cache);
    });
    // Nothing changes the model between a Thompson batch's decisions: its widths are computed together, a
    // slice at a time (their memory stays small whatever the batch).
    const rule = this.parts.rule;
    const model = rule.scoresWithWidths && !rule.countsPending ? this.model : undefined;
    const decisions: Decision[] = new Array(prepared.length);
    for (let i = 0; i < prepared.length; i++) {
      if (i % PREPARED_SLICE === 0)
        model?.prepareContexts?.(prepared.slice(i, i + PREPARED_SLICE).map((p) => p.x));
      decisions[i] = this.decideValid(prepared[i]!, true);
    }
    return decisions;
  }

  /** The model's posterior mean of every unit for a context (in the shared unit-score buffer). */
  private meansOf(x: Float64Array): Float64Array {
    this.model!.scoreUnits(x, MEAN, this.unitScores);
    return this.unitScores;
  }

  /**
   * The policy's probability of each action for a context (length `actionSpace.size`, summing to 1), for
   * off-policy evaluation, in the model state of the next decision (UCB's pending decisions included).
   * Exact for deterministic (ties shared), epsilon-greedy, SquareCB and random rules, and for Thompson
   * sampling wherever its propensity is; elsewhere Thompson's estimate (see the README's Propensities).
   * Only for spaces of at most 10,000 combinations.
   */
  actionProbabilities(context: Context, options: Omit<DecideOptions, "topK"> = {}): Float64Array {
    if (this.space.size > PROBABILITY_LIMIT) {
      throw new KairosError(
        "space_too_large",
        `actionProbabilities enumerates actions: at most ${PROBABILITY_LIMIT}`,
      );
    }
    const { x, eligibility } = this.validate(context, options, "context", this.contextVector);
    this.keyOf(options.decisionId ?? `${this.generatedIdPrefix()}-probabilities`);
    const scope = this.scope(x, eligibility);
    const probs = new Float64Array(this.space.size);
    for (const [index, p] of this.parts.rule.distribution(scope)) probs[index] = p;
    return probs;
  }

  attributeEffects(context: Context): AttributeEffects {
    const { x } = this.validate(context, {}, "context", this.contextVector);
    const effects: AttributeEffects = {};
    const model = this.model;
    const attributes = this.space.attributes;
    const count = this.space.attributeCount;
    if (!model?.attributeScores || count === 0) return effects;
    const means = new Float64Array(count);
    const sds = new Float64Array(count);
    model.attributeScores(x, means, sds);
    let j = 0;
    attributes.forEach(({ names }, k) => {
      if (names.length === 0) return;
      const byName: AttributeEffects[string] = {};
      for (const name of names) {
        byName[name] = { mean: means[j]!, sd: Number.isNaN(sds[j]!) ? undefined : sds[j]! };
        j++;
      }
      effects[this.space.dimensions[k]!] = byName;
    });
    return effects;
  }

  update(feedback: readonly Feedback[]): UpdateReport {
    if (!Array.isArray(feedback)) throw new ValidationError("feedback", "must be an array");
    const n = feedback.length;
    const d = this.encoder.dimension;
    const batch: PreparedFeedback = {
      contexts: new Float64Array(n * d),
      actions: new Float64Array(n),
      rewards: new Float64Array(n),
      weights: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) this.prepare(feedback[i]!, `feedback[${i}]`, batch, i);
    // Everything is valid: only now touch the model, so a rejected batch leaves it unchanged.
    const model = this.model;
    if (model) {
      model.startBatch();
      const x = this.contextVector;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) x[j] = batch.contexts[i * d + j]!;
        const units = model.blocks.unitsOf(
          this.space.codesOf(batch.actions[i]!, this.feedbackCodes),
          this.actionUnits,
        );
        model.observe(x, units, batch.rewards[i]!, batch.weights[i]!);
      }
      model.endBatch?.();
    }
    this.version++;
    return { applied: n, policyVersion: this.version };
  }

  /** Validates and encodes feedback item i into row i of `batch`. */
  private prepare(item: Feedback, field: string, batch: PreparedFeedback, i: number): void {
    let action: Feedback["action"];
    let reward: number;
    let weight: number | undefined;
    if (isPlainFeedback(item)) ({ action, reward, weight } = item);
    else {
      const parsed = feedbackSchema.safeParse(item);
      if (!parsed.success) throw validationErrorFrom(field, parsed.error.issues);
      ({ action, reward, weight } = parsed.data);
    }
    if (typeof action === "number" && !this.space.isValidIndex(action)) {
      throw new ValidationError(`${field}.action`, `index ${action} is outside [0, ${this.space.size})`);
    }
    batch.actions[i] =
      typeof action === "number" ? action : this.space.indexOf(action, `${field}.action`, this.feedbackCodes);
    const range = this.parts.rewardRange;
    if (range && (reward < range[0] || reward > range[1])) {
      throw new ValidationError(
        `${field}.reward`,
        `${reward} is outside the declared range [${range[0]}, ${range[1]}]`,
      );
    }
    batch.rewards[i] = reward;
    batch.weights[i] = weight ?? 1;
    this.encoder.encode(item.context, batch.contexts, `${field}.context`, i * this.encoder.dimension);
  }

  snapshot(): PolicySnapshot {
    return {
      format: "kairos-policy/v1",
      kind: this.kind,
      policyId: this.id,
      version: this.version,
      decisions: this.decisions,
      config: structuredClone(this.parts.config),
      actionSpace: this.space.toConfig(),
      contextSchema: this.encoder.toConfig(),
      model: this.model ? this.model.toJSON() : null,
    };
  }

  restore(snapshot: unknown, options: RestoreOptions = {}): void {
    const s = parseSnapshot(snapshot);
    if (s.kind !== this.kind)
      throw new SnapshotMismatchError(`snapshot is of a ${s.kind} policy, this is ${this.kind}`);
    if (JSON.stringify(s.contextSchema) !== this.encoder.fingerprint()) {
      throw new SnapshotMismatchError("snapshot was taken with another context schema");
    }
    if (JSON.stringify(s.config) !== JSON.stringify(this.parts.config)) {
      throw new SnapshotMismatchError(
        `snapshot was taken with another policy configuration (${firstDifference(s.config, this.parts.config)}; was it taken by another version of Kairos?)`,
      );
    }
    const sameSpace = JSON.stringify(s.actionSpace) === this.space.fingerprint() && !options.rename;
    const remap =
      sameSpace || !this.model ? undefined : unitRemap(s.actionSpace, this.model.blocks, options.rename);
    // Load into a fresh model and swap only on success: a bad snapshot leaves this policy unchanged.
    let model: RewardModel | undefined;
    if (this.parts.makeModel) {
      model = this.parts.makeModel();
      try {
        model.load(s.model, remap);
      } catch (error) {
        if (error instanceof SnapshotMismatchError) throw error;
        // A zod error's message is its issues as JSON: name the first issue's field instead. A model of
        // another shape is most likely another version's (the README's "Snapshots across versions").
        const issues = (error as { issues?: Parameters<typeof validationErrorFrom>[1] }).issues;
        if (!issues?.length)
          throw new SnapshotMismatchError(`snapshot.model: ${(error as Error).message.split("\n")[0]}`);
        throw new SnapshotMismatchError(
          `${validationErrorFrom("snapshot.model", issues).message} (the snapshot holds another kind of model than this policy builds: was it taken by another version of Kairos?)`,
        );
      }
    }
    this.model = model;
    this.version = s.version;
    this.decisions = s.decisions;
    this.instance = nextInstance(this.id, this.parts.seed, s.version, s.decisions);
  }

  merge(other: Policy): void {
    if (!(other instanceof BanditPolicy) || other.kind !== this.kind) {
      throw new MergeError(`cannot merge a ${other.kind} policy into a ${this.kind} policy`);
    }
    if (
      other.space.fingerprint() !== this.space.fingerprint() ||
      other.encoder.fingerprint() !== this.encoder.fingerprint()
    ) {
      throw new MergeError("policies differ in action space or context schema");
    }
    if (JSON.stringify(other.parts.config) !== JSON.stringify(this.parts.config)) {
      throw new MergeError("policies differ in configuration");
    }
    if (this.model && other.model) this.model.merge(other.model);
    this.version += other.version;
  }
}

/** The first setting whose value differs between two configurations, as `name: snapshot's, this one's`. */
function firstDifference(snapshot: unknown, current: unknown): string {
  const text = (value: unknown) => (value === undefined ? "absent" : JSON.stringify(value));
  const fields = (config: unknown) =>
    (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
  const [old, now] = [fields(snapshot), fields(current)];
  for (const key of new Set([...Object.keys(now), ...Object.keys(old)])) {
    if (text(old[key]) !== text(now[key]))
      return `${key}: ${text(old[key])} in the snapshot, ${text(now[key])} here`;
  }
  return "the same settings in another order";
}

/** A snapshot as an object or its JSON text, validated. */
function parseSnapshot(snapshot: unknown): z.infer<typeof snapshotSchema> {
  let value = snapshot;
  if (typeof snapshot === "string") {
    try {
      value = JSON.parse(snapshot);
    } catch (error) {
      throw new SnapshotMismatchError(`snapshot is not valid JSON: ${(error as Error).message}`);
    }
  }
  const parsed = snapshotSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SnapshotMismatchError(`${issuePath("snapshot", issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}
