import { z } from "zod";

/** Dimensions whose options interact, each group learned as one block (as in core). */
export const interactionsSchema = z.array(z.array(z.string()).min(2)).default([]);
export const structureSchema = z.enum(["joint", "factorised", "auto"]);

/** Settings every neural preset shares: the network, its training schedule and the replay buffer. */
export const networkSettings = {
  /** Hidden layer sizes; the last one is the representation z(x). */
  hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(8).default([32, 16]),
  /** Retrain the network after every this many update batches (0: only when `retrain()` is called). */
  retrainEvery: z.number().int().min(0).default(1),
  /** No retraining before the buffer holds this many observations. */
  minObservations: z.number().int().min(1).default(200),
  /** Passes over the replay buffer per retraining (warm-started from the current weights). */
  epochs: z.number().int().min(1).max(1000).default(3),
  /** Smallest minibatch. */
  batchSize: z.number().int().min(1).max(65_536).default(64),
  /** Most minibatches per epoch: a larger buffer trains on larger minibatches (n / stepsPerEpoch). */
  stepsPerEpoch: z.number().int().min(1).max(1_000_000).default(256),
  learningRate: z.number().positive().max(1).default(0.01),
  /** Observations kept for retraining (the latest ones). */
  bufferSize: z.number().int().min(1).max(1_000_000).default(10_000),
  /** `auto`: a unit per action for one dimension, else a unit per option (declared interactions joined). */
  structure: structureSchema.default("auto"),
  interactions: interactionsSchema,
};

export type NetworkSettings = {
  hidden: number[];
  retrainEvery: number;
  minObservations: number;
  epochs: number;
  batchSize: number;
  stepsPerEpoch: number;
  learningRate: number;
  bufferSize: number;
  structure: z.infer<typeof structureSchema>;
  interactions: string[][];
};
