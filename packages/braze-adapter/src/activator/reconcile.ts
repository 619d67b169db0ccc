import { chunk, LIMITS } from "../batching.js";
import type { BrazeClient } from "../client/client.js";
import type { ExportedUser } from "../endpoints/schemas.js";
import type { LedgerEntry } from "../ledger/types.js";

/** What Braze's profile says about one outcome-unknown row. */
export type Verdict = "received" | "not_received" | "unknown_user";

/**
 * Asks Braze whether the recipients of outcome-unknown rows received their campaign or Canvas at or after the
 * attempt (minus `skewMs` for clock differences), through /users/export/ids with a non-PII field list
 * (`campaigns_received` / `canvases_received`). Returns a verdict per decision id.
 */
export async function reconcile(
  client: BrazeClient,
  rows: readonly LedgerEntry[],
  skewMs: number,
  signal?: AbortSignal,
): Promise<Map<string, Verdict>> {
  const out = new Map<string, Verdict>();
  const byKind = { campaign: [] as LedgerEntry[], canvas: [] as LedgerEntry[] };
  for (const r of rows) (r.plan.kind === "canvas" ? byKind.canvas : byKind.campaign).push(r);
  for (const [kind, list] of Object.entries(byKind) as ["campaign" | "canvas", LedgerEntry[]][]) {
    const fields = ["external_id", kind === "canvas" ? "canvases_received" : "campaigns_received"];
    const ids = [...new Set(list.flatMap((r) => (r.externalId === undefined ? [] : [r.externalId])))];
    const profiles = new Map<string, ExportedUser>();
    for (const batch of chunk(ids, LIMITS.exportIds)) {
      const res = await client.users.exportIds({ external_ids: batch, fields_to_export: fields }, { signal });
      for (const u of res.users) if (u.external_id) profiles.set(u.external_id, u);
    }
    // An alias-only profile is asked for alone: the answer cannot say which alias it is without exporting
    // `user_aliases`, which the PII guard refuses (alias names are often e-mail addresses).
    const byAlias = new Map<LedgerEntry, ExportedUser | undefined>();
    for (const r of list) {
      if (!r.alias) continue;
      const res = await client.users.exportIds(
        { user_aliases: [r.alias], fields_to_export: fields },
        { signal },
      );
      byAlias.set(r, res.users[0]);
    }
    for (const r of list) {
      const u = r.alias ? byAlias.get(r) : profiles.get(r.externalId!);
      if (!u) {
        out.set(r.decisionId, "unknown_user");
        continue;
      }
      const since = (r.attemptAt ?? 0) - skewMs;
      let seen: number | undefined;
      if (r.plan.kind === "canvas") {
        const id = r.plan.canvasId;
        const hit = u.canvases_received?.find((c) => c.api_canvas_id === id);
        seen = hit ? Date.parse(hit.last_entered) : undefined;
      } else {
        const id = r.plan.campaignId;
        const hit = u.campaigns_received?.find((c) => c.api_campaign_id === id);
        seen = hit ? Date.parse(hit.last_received) : undefined;
      }
      out.set(r.decisionId, seen !== undefined && seen >= since ? "received" : "not_received");
    }
  }
  return out;
}
