import { SnapshotMismatchError } from "../errors.js";

/**
 * Where each unit of a snapshot's model goes in this model: `remap[old] = new`, or −1 when its option was
 * removed. Built by the policy when a snapshot was taken over an earlier version of the action space.
 * `hidden`: the same for the hidden units a shared linear model numbers after the blocks' (see
 * HiddenTerms); other models have none and ignore it.
 */
export type UnitRemap = Int32Array & { hidden?: Int32Array };

/**
 * Per-unit values of a snapshot in this model's unit numbering: each moved to its new unit, removed ones
 * dropped, added units at `fill` (their prior). Without a remap the lengths must match.
 */
export function remapValues(
  values: readonly number[],
  size: number,
  remap?: UnitRemap,
  fill = 0,
): Float64Array {
  const expected = remap ? remap.length : size;
  if (values.length !== expected) {
    throw new SnapshotMismatchError(`model has ${expected} units, snapshot ${values.length}`);
  }
  if (!remap) return Float64Array.from(values);
  const out = new Float64Array(size).fill(fill);
  values.forEach((v, u) => {
    if (remap[u]! >= 0) out[remap[u]!] = v;
  });
  return out;
}
