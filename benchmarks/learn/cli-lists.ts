// Number lists on the learning benchmark's command lines (compare-settings.ts, true-form-bandit.ts).

/** Seeds from "11-40" (a range) or "1,2,5" (a list). */
export function seedList(text: string): number[] {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (!range) return text.split(",").map(Number);
  return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
}

/** A comma-separated list of positive numbers, or one line naming the option and exit 2. */
export function positiveNumbers(option: string, text: string): number[] {
  const list = text.split(",").map(Number);
  if (list.some((v) => !(v > 0))) {
    console.error(`--${option}: expected positive numbers separated by commas, got "${text}"`);
    process.exit(2);
  }
  return list;
}
