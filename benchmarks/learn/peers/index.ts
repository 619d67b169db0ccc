// The peers: what a competent practitioner would run with Vowpal Wabbit, MABWiser or Open Bandit Pipeline
// on these problems, each at its library's defaults plus a small tuning grid. The report compares Kairos
// with the best tuned configuration per problem and batch size (chosen after the fact on the same seeds,
// which flatters the peers).
import type { Learner } from "../learner.js";
import type { Problem } from "../problems.js";
import type { Stream } from "../stream.js";
import { MabwiserLinGreedy, MabwiserLinTs, MabwiserLinUcb } from "./mabwiser.js";
import { ObpLinEpsilonGreedy, ObpLinTs, ObpLinUcb } from "./obp.js";
import { VwCbExploreAdf } from "./vw.js";

export interface PeerConfig {
  /** Stable id, e.g. `mabwiser:LinUCB(alpha=0.3)`. */
  id: string;
  label: string;
  library: "MABWiser" | "VW" | "OBP";
  /** Algorithm within the library, e.g. `LinUCB`. */
  family: string;
  settings: Record<string, number | string | boolean>;
  /** The library's default settings for this algorithm. */
  isDefault: boolean;
  make(stream: Stream, seed: number): Learner;
}

const MABWISER_ALPHAS = [1, 0.3, 0.1];
const MABWISER_EPSILONS = [0.1, 0.05, 0.01];
// OBP's LinUCB(epsilon = e) is MABWiser's LinUCB(alpha = e) but for ties (first vs last index): only one width
// is run here (the grid's job is done by MABWiser's alphas).
const OBP_UCB_WIDTHS = [0.1];
const VW_EPSILONS = [0.05, 0.02, 0.1];
const VW_GAMMA_SCALES = [10, 100, 1000];

export function peerConfigs(problem: Problem): PeerConfig[] {
  const out: PeerConfig[] = [];
  const seedOf = (id: string, seed: number) => `kairos-learn/peer/${id}/${seed}`;
  for (const alpha of MABWISER_ALPHAS) {
    const id = `mabwiser:LinUCB(alpha=${alpha})`;
    out.push({
      id,
      label: `MABWiser LinUCB α=${alpha}`,
      library: "MABWiser",
      family: "LinUCB",
      settings: { alpha, l2_lambda: 1 },
      isDefault: alpha === 1,
      make: (s, seed) => new MabwiserLinUcb(s, alpha, seedOf(id, seed)),
    });
  }
  for (const alpha of MABWISER_ALPHAS) {
    const id = `mabwiser:LinTS(alpha=${alpha})`;
    out.push({
      id,
      label: `MABWiser LinTS α=${alpha}`,
      library: "MABWiser",
      family: "LinTS",
      settings: { alpha, l2_lambda: 1 },
      isDefault: alpha === 1,
      make: (s, seed) => new MabwiserLinTs(s, alpha, seedOf(id, seed)),
    });
  }
  for (const epsilon of MABWISER_EPSILONS) {
    const id = `mabwiser:LinGreedy(epsilon=${epsilon})`;
    out.push({
      id,
      label: `MABWiser LinGreedy ε=${epsilon}`,
      library: "MABWiser",
      family: "LinGreedy",
      settings: { epsilon, l2_lambda: 1 },
      isDefault: epsilon === 0.1,
      make: (s, seed) => new MabwiserLinGreedy(s, epsilon, seedOf(id, seed)),
    });
  }
  {
    const id = "obp:LinTS()";
    out.push({
      id,
      label: "OBP LinTS",
      library: "OBP",
      family: "LinTS",
      settings: {},
      isDefault: true,
      make: (s, seed) => new ObpLinTs(s, seedOf(id, seed)),
    });
  }
  for (const epsilon of OBP_UCB_WIDTHS) {
    const id = `obp:LinUCB(epsilon=${epsilon})`;
    out.push({
      id,
      label: `OBP LinUCB ε=${epsilon}`,
      library: "OBP",
      family: "LinUCB",
      settings: { epsilon },
      // OBP's default epsilon = 0 is plain greedy; no practitioner would run LinUCB so.
      isDefault: false,
      make: (s, seed) => new ObpLinUcb(s, epsilon, seedOf(id, seed)),
    });
  }
  {
    const id = "obp:LinEpsilonGreedy(epsilon=0.05)";
    out.push({
      id,
      label: "OBP LinEpsilonGreedy ε=0.05",
      library: "OBP",
      family: "LinEpsilonGreedy",
      settings: { epsilon: 0.05 },
      isDefault: false,
      make: (s, seed) => new ObpLinEpsilonGreedy(s, 0.05, seedOf(id, seed)),
    });
  }
  // VW: one dimension → -q UA only; several → also every pair of action dimensions.
  const interactions = problem.dimensions.length > 1 ? [false, true] : [false];
  for (const pairs of interactions) {
    const q = pairs ? " +pairs" : "";
    for (const epsilon of VW_EPSILONS) {
      const id = `vw:--cb_explore_adf --epsilon ${epsilon}${pairs ? " -q AA" : ""}`;
      out.push({
        id,
        label: `VW ε-greedy ε=${epsilon}${q}`,
        library: "VW",
        family: "cb_explore_adf epsilon",
        settings: { epsilon, pairs },
        isDefault: epsilon === 0.05 && !pairs,
        make: (s, seed) => new VwCbExploreAdf(s, { explore: "epsilon", epsilon, pairs }, seedOf(id, seed)),
      });
    }
    for (const gammaScale of VW_GAMMA_SCALES) {
      const id = `vw:--cb_explore_adf --squarecb --gamma_scale ${gammaScale}${pairs ? " -q AA" : ""}`;
      out.push({
        id,
        label: `VW SquareCB γ₀=${gammaScale}${q}`,
        library: "VW",
        family: "cb_explore_adf squarecb",
        settings: { gamma_scale: gammaScale, pairs },
        isDefault: gammaScale === 10 && !pairs,
        make: (s, seed) =>
          new VwCbExploreAdf(s, { explore: "squarecb", gammaScale, pairs }, seedOf(id, seed)),
      });
    }
  }
  return out;
}
