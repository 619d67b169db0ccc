import { ActionSpace, type ActionSpaceConfig } from "../action-space.js";
import { SnapshotMismatchError, ValidationError } from "../errors.js";
import { Blocks } from "../models/blocks.js";
import { hiddenRemap } from "../models/hidden-terms.js";
import type { UnitRemap } from "../models/unit-remap.js";

/**
 * Where each unit of a model learned over an earlier action space goes in `blocks` (this policy's units):
 * options are matched by name (after `rename`), so marketers can add and retire options between two days
 * without losing what was learned about the others. Dimensions must be the same (in any order); a unit
 * whose options are not all still there maps to −1 (dropped); units of new options get none (prior).
 * Hidden units (option attributes, option effects within interactions) follow the blocks' units.
 */
export function unitRemap(
  snapshotSpace: unknown,
  blocks: Blocks,
  rename: Record<string, Record<string, string>> = {},
): UnitRemap {
  const space = blocks.space;
  let old: ActionSpace;
  try {
    old = new ActionSpace(snapshotSpace as ActionSpaceConfig);
  } catch (error) {
    throw new SnapshotMismatchError(`snapshot.actionSpace: ${(error as Error).message.split("\n")[0]}`);
  }
  const added = space.dimensions.filter((name) => old.dimensionIndex(name) < 0);
  const removed = old.dimensions.filter((name) => space.dimensionIndex(name) < 0);
  if (added.length > 0 || removed.length > 0) {
    throw new SnapshotMismatchError(
      `snapshot has other dimensions (added: ${added.join(", ") || "none"}; removed: ${removed.join(", ") || "none"})`,
    );
  }
  for (const [dimension, names] of Object.entries(rename)) {
    const k = old.dimensionIndex(dimension);
    if (k < 0) throw new ValidationError(`rename.${dimension}`, "no such dimension in the snapshot");
    for (const from of Object.keys(names)) {
      if (!old.options[k]!.some((o) => String(o) === from)) {
        throw new ValidationError(`rename.${dimension}.${from}`, "no such option in the snapshot");
      }
    }
  }
  // For each snapshot dimension: its index here, and each option's code here (−1 if gone).
  const dimensionHere = old.dimensions.map((name) => space.dimensionIndex(name));
  const optionHere = old.dimensions.map((name, ko) =>
    old.options[ko]!.map((option) => {
      const target = rename[name]?.[String(option)] ?? String(option);
      return space.options[dimensionHere[ko]!]!.findIndex((o) => String(o) === target);
    }),
  );
  checkAttributes(old, space, optionHere, dimensionHere);
  const oldBlocks = new Blocks(
    old,
    blocks.dims.map((group) => group.map((k) => old.dimensionIndex(space.dimensions[k]!))),
    blocks.interactions,
  );
  const remap: UnitRemap = new Int32Array(oldBlocks.unitCount).fill(-1);
  const oldCodes = new Int32Array(old.dimensions.length);
  const codes = new Int32Array(space.dimensions.length);
  for (let b = 0; b < oldBlocks.count; b++) {
    for (let c = 0; c < oldBlocks.sizes[b]!; c++) {
      oldBlocks.decode(b, c, oldCodes);
      let kept = true;
      for (const ko of oldBlocks.dims[b]!) {
        const code = optionHere[ko]![oldCodes[ko]!]!;
        if (code < 0) kept = false;
        codes[dimensionHere[ko]!] = code;
      }
      if (kept) remap[oldBlocks.offsets[b]! + c] = blocks.offsets[b]! + blocks.blockCode(b, codes);
    }
  }
  const hidden = hiddenRemap({ space: old, blocks: oldBlocks }, blocks, dimensionHere, optionHere);
  return Object.assign(remap, { hidden });
}

/**
 * A model's attribute terms carry over only if they mean the same: the same attributes per dimension, and
 * every kept option with the values it had. A changed value would make the option's past data say
 * something else; a new name starts it afresh.
 */
function checkAttributes(
  old: ActionSpace,
  space: ActionSpace,
  optionHere: readonly (readonly number[])[],
  dimensionHere: readonly number[],
): void {
  old.dimensions.forEach((name, ko) => {
    const before = old.attributes[ko]!;
    const now = space.attributes[dimensionHere[ko]!]!;
    if (before.names.join("\u0000") !== now.names.join("\u0000")) {
      const list = (names: readonly string[]) => (names.length > 0 ? names.join(", ") : "none");
      throw new SnapshotMismatchError(
        `attributes of ${name} are ${list(now.names)} here, ${list(before.names)} in the snapshot`,
      );
    }
    const n = now.names.length;
    old.options[ko]!.forEach((option, code) => {
      const here = optionHere[ko]![code]!;
      if (here < 0) return;
      for (let j = 0; j < n; j++) {
        const was = before.values[code * n + j]!;
        const is = now.values[here * n + j]!;
        if (was !== is) {
          throw new SnapshotMismatchError(
            `attribute ${now.names[j]} of ${name} ${String(option)} is ${is} here, ${was} in the snapshot; give the option a new name to start it afresh`,
          );
        }
      }
    });
  });
}
