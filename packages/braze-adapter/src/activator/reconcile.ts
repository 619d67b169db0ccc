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
    const ids = [...new Set(list.map((r) => r.externalId))];
    const profiles = new Map<string, ExportedUser>();
    for (const batch of chunk(ids, LIMITS.exportIds)) {
      const res = await client.users.exportIds(
        {
          external_ids: batch,
          fields_to_export: ["external_id", kind === "canvas" ? "canvases_received" : "campaigns_received"],
        },
        { signal },
      );
      for (const u of res.users) if (u.external_id) profiles.set(u.external_id, u);
    }
    for (const r of list) {
      const u = profiles.get(r.externalId);
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
