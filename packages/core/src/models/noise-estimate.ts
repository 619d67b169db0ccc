import { z } from "zod";

/** Weight of the prior guess of the noise, in observations. */
const PRIOR_OBSERVATIONS = 10;

/**
 * Running estimate of a linear model's reward noise sd σ, which scales its Thompson draws and UCB widths
 * in reward units (so the same defaults work for conversions and for revenue in euros):
 * σ̂² = (n₀·σ₀² + RSS) / (n₀ + n − p), with the prior guess σ₀ worth n₀ = 10 observations, RSS the
 * residual sum of squares and p the fit's effective number of parameters (0 for out-of-sample residuals).
 */
export class NoiseEstimate {
  /** Σ w·v², v the reward (in-sample fits) or its out-of-sample residual. */
  private sumSquares = 0;
  private observations = 0;

  constructor(private readonly prior: number) {}

  add(value: number, weight: number): void {
    this.sumSquares += weight * value * value;
    this.observations += weight;
  }

  /** σ̂, given what the fit explains of `sumSquares` (θᵀt for ridge) and its effective parameter count. */
  sd(explained = 0, parameters = 0): number {
    const rss = Math.max(0, this.sumSquares - explained);
    const dof = Math.max(0, this.observations - parameters);
    return Math.sqrt((PRIOR_OBSERVATIONS * this.prior ** 2 + rss) / (PRIOR_OBSERVATIONS + dof));
  }

  scale(factor: number): void {
    this.sumSquares *= factor;
    this.observations *= factor;
  }

  merge(other: NoiseEstimate): void {
    this.sumSquares += other.sumSquares;
    this.observations += other.observations;
  }

  toJSON(): { sumSquares: number; observations: number } {
    return { sumSquares: this.sumSquares, observations: this.observations };
  }

  load(json: { sumSquares: number; observations: number }): void {
    this.sumSquares = json.sumSquares;
    this.observations = json.observations;
  }
}

/** The prior and noise settings every linear model shares. */
export const linearPriorOptions = {
  /** Prior precision (ridge penalty) λ: every coefficient's Gram matrix starts at λ·I. */
  lambda: z.number().positive().default(1),
  /**
   * Reward noise sd σ: Thompson draws θ ~ N(θ̂, (s·σ)²·A⁻¹) and UCB adds α·σ·√(xᵀA⁻¹x). Estimated from the
   * residuals when absent (see NoiseEstimate).
   */
  noise: z.number().positive().optional(),
  /** Prior guess of σ when it is estimated, worth 10 observations. */
  priorNoise: z.number().positive().default(0.5),
  /**
   * s: below 1, Thompson draws come from the posterior narrowed towards its mean ("posterior reshaping",
   * Chapelle & Li 2011); see the README for what it measured.
   */
  sampleScale: z.number().positive().default(1),
  /**
   * c: Thompson draws narrow the context's part of a unit's score by this further factor, its level (the
   * score at the mean observed context x̄) not: widths √(vᵀA⁻¹v) with v = x̄ + c·(x − x̄) (no effect
   * without an intercept column). See the core README's "Context scale".
   */
  contextScale: z.number().min(0).max(1).default(1),
  /**
   * Optimistic Thompson sampling (May et al. 2012): a draw below its unit's posterior mean is raised to the
   * mean, so sampling only ever adds optimism; uncertain units are still explored, a well-known best unit
   * loses its turn less often to its own low draws.
   */
  optimistic: z.boolean().default(false),
  /**
   * Learn the prior precision of the coefficients other than the intercept from the data (empirical Bayes;
   * see PriorPrecision) instead of holding it at `lambda`.
   */
  learnPrior: z.boolean().default(false),
  /** Context column that is the constant 1 (the encoder's intercept): its prior stays at `lambda`. */
  interceptColumn: z.number().int().nonnegative().optional(),
};
