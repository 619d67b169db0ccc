// Property tests run from one fixed fast-check seed, so a CI run is reproducible and a failure can be replayed
// exactly. Explore further with KAIROS_FC_SEED=<number>, or KAIROS_FC_SEED=random for a fresh seed each run
// (fast-check prints the seed of any failure).
import fc from "fast-check";

const requested = process.env.KAIROS_FC_SEED;
if (requested !== "random") {
  const seed = requested === undefined ? 20261128 : Number(requested);
  if (!Number.isInteger(seed))
    throw new Error(`KAIROS_FC_SEED must be an integer or "random", got "${requested}"`);
  fc.configureGlobal({ seed });
}
