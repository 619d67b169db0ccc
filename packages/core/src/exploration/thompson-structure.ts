// What couples the blocks of one decision, for Thompson propensities. A block's choice is its own argmax
// unless something forbids combinations across blocks, so:
// - eligibility masks, constraints whose dimensions all lie in one block, and excluded actions of a
//   one-block (joint) model only remove units from their block: the block stays independent;
// - a constraint over dimensions of several blocks (unless the masks leave it nothing to forbid) couples
//   them, and excluded actions of a multi-block model couple every block.
// Blocks linked this way form components; every other block is free.
import { ActionSpace, type CompiledEligibility } from "../action-space.js";
import type { Blocks } from "../models/blocks.js";

/** A cross-block constraint on a component: per touched block, which unit codes match its conditions. */
export interface ComponentRule {
  blocks: number[];
  /** Aligned with `blocks`: match[i][code] = 1 when unit `code` of that block meets the rule's conditions. */
  match: Uint8Array[];
}

/** Blocks coupled by constraints or excluded actions. Feasibility is judged on their units alone. */
export class Component {
  constructor(
    readonly blocks: number[],
    /** The constraints across its blocks that can still forbid something. */
    readonly rules: readonly ComponentRule[],
    /** Excluded action indexes when the component covers every block; undefined otherwise. */
    private readonly denied: ReadonlySet<number> | undefined,
    /** The excluded actions' units (per block, global ids), none of them forbidden by a rule. */
    readonly deniedUnits: readonly Int32Array[],
    private readonly layout: Blocks,
    private readonly indexPart: Float64Array,
  ) {}

  /** Whether the units of this component's blocks (`units[b]`, global ids) form a feasible combination. */
  feasible(units: ArrayLike<number>): boolean {
    const offsets = this.layout.offsets;
    for (const rule of this.rules) {
      let all = true;
      for (let i = 0; i < rule.blocks.length && all; i++) {
        const b = rule.blocks[i]!;
        if (rule.match[i]![units[b]! - offsets[b]!] === 0) all = false;
      }
      if (all) return false;
    }
    return !this.denied?.has(this.partialIndex(units));
  }

  /** Global id of block b's first unit (rules' `match` arrays are indexed by unit − offset). */
  offset(b: number): number {
    return this.layout.offsets[b]!;
  }

  /** Σ over the component's blocks of their units' share of the action index: equal for equal units. */
  partialIndex(units: ArrayLike<number>): number {
    let index = 0;
    for (const b of this.blocks) index += this.indexPart[units[b]!]!;
    return index;
  }
}

/** Calls `visit` with every feasible assignment of a component's blocks (`units[b]`, global ids). */
export function forEachAssignment(
  component: Component,
  allowed: readonly (readonly number[])[],
  visit: (units: Int32Array) => void,
): void {
  const units = new Int32Array(allowed.length);
  const walk = (j: number): void => {
    if (j === component.blocks.length) {
      if (component.feasible(units)) visit(units);
      return;
    }
    const b = component.blocks[j]!;
    for (const u of allowed[b]!) {
      units[b] = u;
      walk(j + 1);
    }
  };
  walk(0);
}

/** The structure of one decision's eligible set, as Thompson propensities need it. */
export class ThompsonStructure {
  constructor(
    /** Per block, its allowed units (global ids), in code order. */
    readonly allowed: number[][],
    /** Coupled components (two blocks or more). */
    readonly components: Component[],
    /** Per block, its component's index, or -1 for a free block. */
    readonly componentOf: Int32Array,
    /** Per unit, its share of the action index (see {@link Component.partialIndex}). */
    readonly indexPart: Float64Array,
    /**
     * When excluded actions couple every block of a multi-block model: the components of the constraints
     * alone, and the excluded actions' units (per block), to estimate in layers (see thompson.ts).
     */
    readonly layered?: { components: Component[]; componentOf: Int32Array; denied: readonly Int32Array[] },
  ) {}

  /** Whether every block is free (the propensity is a product of per-block integrals). */
  get independent(): boolean {
    return this.components.length === 0;
  }
}

/** Per constraint: its blocks and, per dimension it names, the options matching its condition. */
interface CompiledRule {
  dims: number[];
  masks: Uint8Array[];
}

const compiledRules = new WeakMap<ActionSpace, CompiledRule[]>();
const indexParts = new WeakMap<Blocks, Float64Array>();
const structures = new WeakMap<Blocks, Map<string, ThompsonStructure>>();

/**
 * Constraint conditions as option masks. Each condition is judged by the space's own rules (a one-dimension
 * space with that condition alone), so the semantics of `in`, `lt`, … are never restated here.
 */
function rulesOf(space: ActionSpace): CompiledRule[] {
  let rules = compiledRules.get(space);
  if (rules) return rules;
  rules = space.rules.map((rule) => {
    const dims: number[] = [];
    const masks: Uint8Array[] = [];
    for (const [name, condition] of Object.entries(rule.forbid)) {
      const k = space.dimensionIndex(name);
      const options = [...space.options[k]!];
      const alone = new ActionSpace({
        dimensions: [{ name, options }],
        constraints: [{ forbid: { [name]: condition } }],
      });
      dims.push(k);
      masks.push(Uint8Array.from(options, (_, c) => (alone.isFeasible([c]) ? 0 : 1)));
    }
    return { dims, masks };
  });
  compiledRules.set(space, rules);
  return rules;
}

/** Each unit's share of the action index: the index of its block's codes with every other code 0. */
function indexPartOf(blocks: Blocks): Float64Array {
  let part = indexParts.get(blocks);
  if (part) return part;
  part = new Float64Array(blocks.unitCount);
  const codes = new Int32Array(blocks.space.dimensions.length);
  for (let b = 0; b < blocks.count; b++) {
    for (let c = 0; c < blocks.sizes[b]!; c++) {
      codes.fill(0);
      blocks.decode(b, c, codes);
      part[blocks.offsets[b]! + c] = blocks.space.indexOfCodes(codes);
    }
  }
  indexParts.set(blocks, part);
  return part;
}

/** The structure of a decision's eligible set (cached per blocks and eligibility). */
export function thompsonStructure(blocks: Blocks, eligibility: CompiledEligibility): ThompsonStructure {
  let cache = structures.get(blocks);
  if (!cache) structures.set(blocks, (cache = new Map()));
  let structure = cache.get(eligibility.key);
  if (!structure) {
    if (cache.size >= 1000) cache.clear();
    structure = analyse(blocks, eligibility);
    cache.set(eligibility.key, structure);
  }
  return structure;
}

function analyse(blocks: Blocks, eligibility: CompiledEligibility): ThompsonStructure {
  const space = blocks.space;
  const rules = rulesOf(space);
  const codes = new Int32Array(space.dimensions.length);
  const blockOf = new Int32Array(space.dimensions.length);
  blocks.dims.forEach((dims, b) => {
    for (const k of dims) blockOf[k] = b;
  });
  /** Whether unit code c of block b meets every condition the rule sets on b's dimensions. */
  const meets = (rule: CompiledRule, b: number, c: number): boolean => {
    blocks.decode(b, c, codes);
    return rule.dims.every((k, i) => blockOf[k] !== b || rule.masks[i]![codes[k]!] === 1);
  };
  const touched = rules.map((rule) => [...new Set(rule.dims.map((k) => blockOf[k]!))].sort((a, b) => a - b));

  // Units allowed by the masks and by the constraints inside their block.
  const ok = new Uint8Array(blocks.unitCount);
  for (let b = 0; b < blocks.count; b++) {
    const local = rules.filter((_, r) => touched[r]!.length === 1 && touched[r]![0] === b);
    for (let c = 0; c < blocks.sizes[b]!; c++) {
      if (!blocks.allowed(b, c, eligibility.masks)) continue;
      if (local.some((rule) => meets(rule, b, c))) continue;
      ok[blocks.offsets[b]! + c] = 1;
    }
  }
  // Cross-block constraints that can still forbid something.
  const cross: ComponentRule[] = [];
  rules.forEach((rule, r) => {
    const bs = touched[r]!;
    if (bs.length < 2) return;
    const match = bs.map((b) => {
      const m = new Uint8Array(blocks.sizes[b]!);
      for (let c = 0; c < m.length; c++) if (ok[blocks.offsets[b]! + c] && meets(rule, b, c)) m[c] = 1;
      return m;
    });
    if (match.every((m) => m.includes(1))) cross.push({ blocks: bs, match });
  });
  const units = new Int32Array(blocks.count);
  const crossForbids = (): boolean =>
    cross.some((rule) => rule.blocks.every((b, i) => rule.match[i]![units[b]! - blocks.offsets[b]!] === 1));
  // Excluded actions that are otherwise feasible.
  const denied = new Set<number>();
  const deniedUnits: Int32Array[] = [];
  for (const index of eligibility.deniedActions) {
    blocks.unitsOf(space.codesOf(index, codes), units);
    if (!units.every((u) => ok[u] === 1) || crossForbids()) continue;
    if (blocks.count === 1) ok[units[0]!] = 0;
    else if (!denied.has(index)) {
      denied.add(index);
      deniedUnits.push(Int32Array.from(units));
    }
  }

  const indexPart = indexPartOf(blocks);
  /** Components linked by the cross-block constraints, and by the excluded actions when `withDenied`. */
  const componentsOf = (withDenied: boolean): { components: Component[]; componentOf: Int32Array } => {
    const parent = Array.from({ length: blocks.count }, (_, b) => b);
    const find = (b: number): number => (parent[b] === b ? b : (parent[b] = find(parent[b]!)));
    for (const rule of cross) for (const b of rule.blocks.slice(1)) parent[find(b)] = find(rule.blocks[0]!);
    if (withDenied) for (let b = 1; b < blocks.count; b++) parent[find(b)] = find(0);
    const members = new Map<number, number[]>();
    for (let b = 0; b < blocks.count; b++) {
      const root = find(b);
      if (!members.has(root)) members.set(root, []);
      members.get(root)!.push(b);
    }
    const componentOf = new Int32Array(blocks.count).fill(-1);
    const components: Component[] = [];
    for (const group of members.values()) {
      if (group.length < 2) continue;
      const inside = cross.filter((rule) => group.includes(rule.blocks[0]!));
      for (const b of group) componentOf[b] = components.length;
      components.push(
        withDenied
          ? new Component(group, inside, denied, deniedUnits, blocks, indexPart)
          : new Component(group, inside, undefined, [], blocks, indexPart),
      );
    }
    return { components, componentOf };
  };
  const coupled = denied.size > 0;
  const { components, componentOf } = componentsOf(coupled);
  const layered = coupled ? { ...componentsOf(false), denied: deniedUnits } : undefined;
  const allowed = blocks.dims.map((_, b) => {
    const list: number[] = [];
    for (let c = 0; c < blocks.sizes[b]!; c++)
      if (ok[blocks.offsets[b]! + c]) list.push(blocks.offsets[b]! + c);
    return list;
  });
  return new ThompsonStructure(allowed, components, componentOf, indexPart, layered);
}
