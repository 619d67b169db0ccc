import type { ActionRecord } from "../action-space.js";
import type { Decision, RankedAction } from "../policy.js";
import type { CapturedScores, Explainer, Explanation } from "./explanation.js";

/**
 * The decision a {@link BanditPolicy} returns. A class rather than an object literal: `scores` is a getter
 * that names the explanation captured at decision time on first read (most callers never read it), and an
 * accessor in an object literal made every decision cost ~0.5 µs more. `toJSON` writes `scores` like any
 * field; a spread or `structuredClone` copies own fields only, so copy `scores` explicitly.
 */
export class PolicyDecision implements Decision {
  declare readonly propensityError?: number;
  readonly #explainer: Explainer | undefined;
  readonly #captured: CapturedScores | undefined;
  #scores: Explanation | undefined;

  constructor(
    readonly decisionId: string,
    readonly action: ActionRecord,
    readonly actionIndex: number,
    readonly propensity: number,
    propensityError: number | undefined,
    readonly ranked: RankedAction[],
    readonly policyId: string,
    readonly policyKind: string,
    readonly policyVersion: number,
    explainer: Explainer | undefined,
    captured: CapturedScores | undefined,
  ) {
    if (propensityError !== undefined)
      (this as { propensityError?: number }).propensityError = propensityError;
    this.#explainer = explainer;
    this.#captured = captured;
  }

  /** Per dimension, per option: the best posterior mean of any allowed unit using it, when decided. */
  get scores(): Explanation {
    this.#scores ??= this.#explainer && this.#captured ? this.#explainer.record(this.#captured) : {};
    return this.#scores;
  }

  /** The decision as plain data, `scores` included, in the order of {@link Decision}'s fields. */
  toJSON(): Decision {
    return {
      decisionId: this.decisionId,
      action: this.action,
      actionIndex: this.actionIndex,
      propensity: this.propensity,
      ...(this.propensityError === undefined ? {} : { propensityError: this.propensityError }),
      scores: this.scores,
      ranked: this.ranked,
      policyId: this.policyId,
      policyKind: this.policyKind,
      policyVersion: this.policyVersion,
    };
  }
}
