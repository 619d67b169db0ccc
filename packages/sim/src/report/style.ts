/** How one policy is drawn in every chart of a report. */
export interface SeriesStyle {
  colour: string;
  /** SVG stroke-dasharray; absent for a solid line. */
  dash?: string;
  /** Stroke width of its line. */
  width: number;
}

/**
 * Fixed colours of the baselines marketers use (dashed, so Kairos policies stand out) and of the
 * oracle (dotted), from the Okabe–Ito palette plus Paul Tol's wine.
 */
const BASELINE_COLOURS: Readonly<Record<string, string>> = {
  random: "#999999",
  bau: "#000000",
  "ab-test": "#E69F00",
  "segment-ab-test": "#56B4E9",
  "best-single": "#882255",
  oracle: "#661100",
};

/**
 * Colours of further baselines of a kind already drawn (`ab-test:design=full-factorial` beside `ab-test`),
 * so they do not take the Kairos policies' colours: Paul Tol's high-contrast and medium-contrast schemes.
 */
const EXTRA_BASELINE_COLOURS = ["#BB5566", "#6699CC", "#997700", "#994455", "#DDAA33"];

/**
 * Colours of the other (Kairos) policies, in order of appearance: the rest of Okabe–Ito (yellow left out,
 * unreadable on white), then Paul Tol's colour-blind-safe muted colours.
 */
const POLICY_COLOURS = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#332288",
  "#44AA99",
  "#999933",
  "#CC6677",
  "#AA4499",
  "#117733",
];

/** Ceilings, drawn dotted: they use the true response model. */
const CEILING_KINDS: readonly string[] = ["oracle", "best-single"];

/** Policies drawn dashed: the baselines Kairos is compared with. */
export const BASELINE_KINDS: readonly string[] = ["random", "bau", "ab-test", "segment-ab-test"];

const ALIASES: Readonly<Record<string, string>> = {
  ab: "ab-test",
  "a/b": "ab-test",
  "segment-ab": "segment-ab-test",
};

/** The policy kind of a label (`ab-test:days=14` → `ab-test`). */
function kindOf(label: string): string {
  const kind = label.split(":", 1)[0]!.trim();
  return ALIASES[kind] ?? kind;
}

/**
 * One style per policy label, so a policy has the same colour in every chart of a report. Baselines get
 * fixed colours and dashes (the first of each kind; a second `ab-test:days=7` takes one of a few extra
 * baseline colours, still dashed), the ceilings (oracle, best-single) are dotted, other policies get solid,
 * thicker lines in the order listed (pass the
 * run's order, not a ranking, so colours do not depend on outcomes). Past ten Kairos policies colours
 * repeat with a dash-dot pattern.
 */
export function seriesStyles(labels: readonly string[]): Map<string, SeriesStyle> {
  const styles = new Map<string, SeriesStyle>();
  const taken = new Set<string>();
  let next = 0;
  let extra = 0;
  for (const label of labels) {
    if (styles.has(label)) continue;
    const kind = kindOf(label);
    const baseline = BASELINE_KINDS.includes(kind);
    const ceiling = CEILING_KINDS.includes(kind);
    const fixed = BASELINE_COLOURS[kind];
    let colour: string;
    let cycle = 0;
    if (fixed !== undefined && !taken.has(fixed)) colour = fixed;
    else if ((baseline || ceiling) && extra < EXTRA_BASELINE_COLOURS.length)
      colour = EXTRA_BASELINE_COLOURS[extra++]!;
    else {
      cycle = Math.floor(next / POLICY_COLOURS.length);
      colour = POLICY_COLOURS[next++ % POLICY_COLOURS.length]!;
    }
    taken.add(colour);
    const dash = baseline ? "6 4" : ceiling ? "2 3" : cycle > 0 ? "9 3 2 3" : undefined;
    styles.set(label, {
      colour,
      width: baseline || ceiling ? 1.6 : 2.2,
      ...(dash ? { dash } : {}),
    });
  }
  return styles;
}
