import { type ActionRecord, ValidationError } from "@kairos/core";
import type { SendPlan } from "../ledger/types.js";
import type { TimingOptions } from "./schedule.js";

/** Where decisions of one option go in Braze. */
export type BrazeTarget =
  /** An API-triggered campaign; the properties travel as per-recipient `trigger_properties`. */
  | { kind: "campaign"; campaignId: string; sendToExistingOnly?: boolean }
  /** A Canvas; the properties travel as per-recipient `context` (or the older `canvas_entry_properties`). */
  | {
      kind: "canvas";
      canvasId: string;
      propertyField?: "context" | "canvas_entry_properties";
      sendToExistingOnly?: boolean;
    }
  /**
   * An API campaign through /messages/send where Braze variations are the arms: the option of `variationDimension`
   * picks the `message_variation_id`. Content comes from `message` (channel object); properties cannot travel per
   * recipient here, so rewards join through the ledger's dispatch id.
   */
  | {
      kind: "messages";
      campaignId: string;
      channel: string;
      message: Record<string, unknown>;
      variationDimension: string;
      variations: Record<string, string>;
    };

/** How Kairos' action space maps onto Braze. */
export interface ActivationMapping {
  /** Dimension whose option picks the target (e.g. "channel"); omit to send everything to `targets.default`. */
  targetDimension?: string;
  /** Targets by option of `targetDimension`, or `default`. */
  targets: Record<string, BrazeTarget>;
  /** Dimensions sent as trigger properties / Canvas context (default: all but the target and timing dimensions). */
  propertyDimensions?: string[];
  /** Property names for dimensions whose Liquid name differs (dimension → property). */
  propertyNames?: Record<string, string>;
  /** Property carrying the decision id (default "kairos_decision_id", which @kairos/rewards reads). */
  decisionIdProperty?: string;
  timing?: TimingOptions;
}

/** Default property carrying the decision id. */
export const DECISION_ID_PROPERTY = "kairos_decision_id";

/** Resolves a decision's action to a send plan and batching key; throws ValidationError naming the bad dimension. */
export function planFor(
  mapping: ActivationMapping,
  decisionId: string,
  action: ActionRecord,
): { plan: SendPlan; targetKey: string } {
  const option = mapping.targetDimension ? action[mapping.targetDimension] : "default";
  if (option === undefined)
    throw new ValidationError(`action.${mapping.targetDimension}`, "missing target dimension");
  const target = mapping.targets[String(option)];
  if (!target) {
    throw new ValidationError(
      `action.${mapping.targetDimension ?? "(target)"}`,
      `no Braze target mapped for ${JSON.stringify(option)}`,
    );
  }
  // Runs once per send queued: no Set built per call.
  const target0 = mapping.targetDimension;
  const hour = mapping.timing?.hourDimension;
  const day = mapping.timing?.dayDimension;
  const dims =
    mapping.propertyDimensions ?? Object.keys(action).filter((d) => d !== target0 && d !== hour && d !== day);
  const properties: Record<string, unknown> = {};
  for (const d of dims) {
    if (action[d] === undefined)
      throw new ValidationError(`action.${d}`, "dimension listed in propertyDimensions is missing");
    properties[mapping.propertyNames?.[d] ?? d] = action[d];
  }
  const idProp = mapping.decisionIdProperty ?? DECISION_ID_PROPERTY;
  if (idProp) properties[idProp] = decisionId;
  switch (target.kind) {
    case "campaign":
      return {
        targetKey: `campaign:${target.campaignId}`,
        plan: {
          kind: "campaign",
          campaignId: target.campaignId,
          properties,
          sendToExistingOnly: target.sendToExistingOnly,
        },
      };
    case "canvas":
      return {
        targetKey: `canvas:${target.canvasId}`,
        plan: {
          kind: "canvas",
          canvasId: target.canvasId,
          properties,
          propertyField: target.propertyField ?? "context",
          sendToExistingOnly: target.sendToExistingOnly,
        },
      };
    case "messages": {
      const arm = action[target.variationDimension];
      const variationId = arm === undefined ? undefined : target.variations[String(arm)];
      if (!variationId) {
        throw new ValidationError(
          `action.${target.variationDimension}`,
          `no message_variation_id mapped for ${JSON.stringify(arm)}`,
        );
      }
      return {
        // Locked and reconciled per campaign (Braze reports receipt per campaign, not per variation).
        targetKey: `campaign:${target.campaignId}`,
        plan: {
          kind: "messages",
          campaignId: target.campaignId,
          channel: target.channel,
          variationId,
          message: target.message,
        },
      };
    }
  }
}
