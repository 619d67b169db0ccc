import {
  type ActionRecord,
  ActionSpace,
  createPolicy,
  type Eligibility,
  type PolicyConfig,
  type PolicyKind,
  policyKinds,
  ValidationError,
} from "@kairos/core";
import { readText } from "./files.js";
import { LineError, parseJsonLines } from "./ope/format.js";
import { parsePolicySpec } from "./policies.js";

/** Header of a `bandit-problem/v1` file. */
export interface BanditProblemHeader {
  format: "bandit-problem/v1";
  name: string;
  contextDim: number;
  numActions: number;
  /** Optional multi-dimensional view of the K actions. */
  actions?: ActionRecord[];
  batchSize?: number;
}

/** A parsed full-feedback problem: contexts, realised and expected rewards of every action per round. */
export interface BanditProblem {
  header: BanditProblemHeader;
  x: Float64Array[];
  r: Float64Array[];
  p: Float64Array[];
}

/** Result line of `replay --json`. */
export interface ReplayResult {
  system: "kairos";
  policy: string;
  problem: string;
  rounds: number;
  meanReward: number;
  meanExpected: number;
  oracleExpected: number;
  regret: number;
  seconds: number;
}

const numbers = (v: unknown, n: number): v is number[] =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === "number" && Number.isFinite(x));

/** Parses `bandit-problem/v1` text; a malformed line is a LineError naming it. */
export function parseBanditProblem(text: string): BanditProblem {
  const lines = parseJsonLines(text);
  if (lines.length === 0) throw new LineError(1, "empty file: expected a bandit-problem/v1 header");
  const h = lines[0]!.value as Partial<BanditProblemHeader>;
  const hl = lines[0]!.line;
  if (!h || typeof h !== "object" || h.format !== "bandit-problem/v1") {
    throw new LineError(hl, 'header must have "format":"bandit-problem/v1"');
  }
  if (!Number.isInteger(h.contextDim) || h.contextDim! < 0)
    throw new LineError(hl, "contextDim must be a non-negative integer");
  if (!Number.isInteger(h.numActions) || h.numActions! < 1)
    throw new LineError(hl, "numActions must be a positive integer");
  if (h.batchSize !== undefined && (!Number.isInteger(h.batchSize) || h.batchSize < 1)) {
    throw new LineError(hl, "batchSize must be a positive integer");
  }
  if (h.actions !== undefined) {
    if (!Array.isArray(h.actions) || h.actions.length !== h.numActions) {
      throw new LineError(hl, `actions must list ${h.numActions} action records`);
    }
    h.actions.forEach((a, i) => {
      if (!a || typeof a !== "object" || Array.isArray(a) || Object.keys(a).length === 0) {
        throw new LineError(hl, `actions[${i}] must be a record {dimension: option}`);
      }
    });
  }
  const d = h.contextDim!;
  const k = h.numActions!;
  const problem: BanditProblem = {
    header: { ...h, name: String(h.name ?? "") } as BanditProblemHeader,
    x: [],
    r: [],
    p: [],
  };
  for (const { line, value } of lines.slice(1)) {
    const row = value as Record<string, unknown>;
    if (!row || typeof row !== "object" || Array.isArray(row))
      throw new LineError(line, "expected an object");
    if (!numbers(row.x, d)) throw new LineError(line, `x must be an array of ${d} finite numbers`);
    if (!numbers(row.r, k)) throw new LineError(line, `r must be an array of ${k} finite numbers`);
    if (!numbers(row.p, k)) throw new LineError(line, `p must be an array of ${k} finite numbers`);
    problem.x.push(Float64Array.from(row.x));
    problem.r.push(Float64Array.from(row.r));
    problem.p.push(Float64Array.from(row.p));
  }
  if (problem.x.length === 0) throw new LineError(hl + 1, "no rounds after the header");
  return problem;
}

/** Reads a `bandit-problem/v1` file. */
export function readBanditProblem(file: string): BanditProblem {
  return parseBanditProblem(readText(file));
}

/**
 * The action space a problem's policy sees: one dimension `action` with K options, or, when the header
 * lists records, their dimensions; combinations not in the list are denied per decision.
 */
function spaceOf(h: BanditProblemHeader): {
  space: ActionSpace;
  toSpace: Int32Array;
  fromSpace: Map<number, number>;
  eligibility?: Eligibility;
} {
  if (!h.actions) {
    const space = new ActionSpace({
      dimensions: { action: Array.from({ length: h.numActions }, (_, i) => i) },
    });
    const toSpace = Int32Array.from({ length: h.numActions }, (_, i) => i);
    return { space, toSpace, fromSpace: new Map(Array.from(toSpace, (a, i) => [a, i])) };
  }
  const dims: Record<string, (string | number)[]> = {};
  for (const a of h.actions) {
    for (const [dim, option] of Object.entries(a)) {
      if (typeof option !== "string" && typeof option !== "number")
        throw new LineError(1, `actions: option of ${dim} must be a string or number`);
      const list = (dims[dim] ??= []);
      if (!list.includes(option)) list.push(option);
    }
  }
  const names = Object.keys(dims);
  for (const [i, a] of h.actions.entries()) {
    if (Object.keys(a).length !== names.length)
      throw new LineError(1, `actions[${i}] must name every dimension (${names.join(", ")})`);
  }
  const space = new ActionSpace({ dimensions: dims });
  const toSpace = Int32Array.from(h.actions, (a) => space.indexOf(a));
  const fromSpace = new Map<number, number>();
  toSpace.forEach((a, i) => {
    if (fromSpace.has(a)) throw new LineError(1, `actions[${i}] repeats an earlier action`);
    fromSpace.set(a, i);
  });
  let eligibility: Eligibility | undefined;
  if (fromSpace.size < space.size) {
    const denyActions: ActionRecord[] = [];
    for (let a = 0; a < space.size; a++) if (!fromSpace.has(a)) denyActions.push(space.recordOf(a));
    eligibility = { denyActions };
  }
  return { space, toSpace, fromSpace, eligibility };
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** A core policy kind, optionally with settings: `linucb:alpha=0.5`. */
  policy: string;
  /** Rounds per batch; default the header's batchSize, else 1. */
  batch?: number;
  seed?: string | number;
}

/**
 * Replays a full-feedback problem: rounds in order, in batches of B; every decision of a batch uses the
 * state at its start, then the policy learns (x, chosen action, r[chosen], propensity) for each round.
 * Only deciding and updating are timed.
 */
export function replay(problem: BanditProblem, options: ReplayOptions): ReplayResult {
  const spec = parsePolicySpec(options.policy);
  if (!policyKinds.includes(spec.kind as PolicyKind)) {
    throw new ValidationError("policy", `replay runs core policies only (${policyKinds.join(", ")})`);
  }
  const h = problem.header;
  const batch = options.batch ?? h.batchSize ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new ValidationError("batch", "must be a positive integer");
  const { space, toSpace, fromSpace, eligibility } = spaceOf(h);
  const params: Record<string, unknown> = { ...spec.params };
  // On-policy updates ignore propensities, and Thompson sampling would spend 100 extra posterior draws per
  // decision estimating one: skipped unless asked for (`lints:propensityDraws=100`).
  if (/thompson|lints/.test(spec.kind) && !("propensityDraws" in params)) params.propensityDraws = 0;
  if (spec.kind === "fixed" && !("action" in params)) params.action = space.recordOf(toSpace[0]!);
  // Settings come from the command line: createPolicy validates them for the kind they name.
  const policy = createPolicy({
    ...params,
    kind: spec.kind as PolicyKind,
    actionSpace: space,
    context: { vectorLength: h.contextDim },
    seed: options.seed ?? 0,
    id: spec.label,
  } as PolicyConfig);
  const n = problem.x.length;
  let reward = 0;
  let expected = 0;
  let oracle = 0;
  let regret = 0;
  let seconds = 0;
  const decideOptions = eligibility ? { eligibility } : {};
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    const contexts = problem.x.slice(start, end);
    const t0 = performance.now();
    const decisions = policy.decideBatch(
      contexts,
      contexts.map((_, j) => ({ ...decideOptions, decisionId: `round-${start + j}` })),
    );
    seconds += performance.now() - t0;
    const feedback = decisions.map((dec, j) => {
      const i = start + j;
      const k = fromSpace.get(dec.actionIndex)!;
      const r = problem.r[i]![k]!;
      const p = problem.p[i]!;
      let best = Number.NEGATIVE_INFINITY;
      for (const v of p) if (v > best) best = v;
      reward += r;
      expected += p[k]!;
      oracle += best;
      regret += best - p[k]!;
      return {
        context: contexts[j]!,
        action: dec.actionIndex,
        reward: r,
        ...(Number.isFinite(dec.propensity) ? { propensity: dec.propensity } : {}),
      };
    });
    const t1 = performance.now();
    policy.update(feedback);
    seconds += performance.now() - t1;
  }
  return {
    system: "kairos",
    policy: spec.label,
    problem: h.name,
    rounds: n,
    meanReward: reward / n,
    meanExpected: expected / n,
    oracleExpected: oracle / n,
    regret,
    seconds: seconds / 1000,
  };
}
