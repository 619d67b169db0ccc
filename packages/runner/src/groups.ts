// Control groups: each customer is assigned once, by a seeded draw keyed by the salt and the external id,
// and the assignment is stored, so a later change of shares only affects customers not seen before.
import { keyedRng } from "@kairos/core";
import type { Group } from "./state/decision-log.js";
import type { RunnerState } from "./state/open-state.js";
import type { UseCase } from "./use-case/compile.js";

/** The group a new customer falls in under the use case's shares (deterministic). */
export function drawGroup(
  useCase: Pick<UseCase, "id"> & { file: Pick<UseCase["file"], "groups"> },
  externalId: string,
): Group {
  const g = useCase.file.groups;
  const u = keyedRng(g.salt ?? useCase.id, externalId).next();
  if (u < g.holdout) return "holdout";
  if (u < g.holdout + g.random) return "random";
  if (u < g.holdout + g.random + g.bau) return "bau";
  return "kairos";
}

/**
 * Groups of the given customers: stored ones as they were, new ones drawn (and stored unless `store` is
 * false, as in a dry run).
 */
export function assignGroups(
  state: RunnerState,
  useCase: UseCase,
  externalIds: readonly string[],
  day: string,
  store = true,
): Map<string, Group> {
  // One scan of the table beats a lookup per customer at a million customers.
  const stored = new Map(
    state.db.prepare("SELECT external_id, grp FROM groups").raw().all() as [string, Group][],
  );
  const insert = state.db.prepare(
    "INSERT OR IGNORE INTO groups (external_id, grp, assigned_day) VALUES (?, ?, ?)",
  );
  const out = new Map<string, Group>();
  const fresh: [string, Group][] = [];
  for (const id of externalIds) {
    const known = stored.get(id);
    if (known) out.set(id, known);
    else {
      const g = drawGroup(useCase, id);
      out.set(id, g);
      fresh.push([id, g]);
    }
  }
  if (store && fresh.length > 0)
    state.db.transaction(() => {
      for (const [id, g] of fresh) insert.run(id, g, day);
    })();
  return out;
}

/** The group of one customer: stored, else drawn and stored (a real-time decision; one indexed lookup). */
export function groupOf(state: RunnerState, useCase: UseCase, externalId: string, day: string): Group {
  const known = state.db.prepare("SELECT grp FROM groups WHERE external_id = ?").pluck().get(externalId) as
    | Group
    | undefined;
  if (known) return known;
  const g = drawGroup(useCase, externalId);
  state.db
    .prepare("INSERT OR IGNORE INTO groups (external_id, grp, assigned_day) VALUES (?, ?, ?)")
    .run(externalId, g, day);
  return g;
}
