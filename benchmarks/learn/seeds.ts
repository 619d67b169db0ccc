/** Seeds from "11-40" (a range) or "1,2,5" (a list). */
export function seedList(text: string): number[] {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (!range) return text.split(",").map(Number);
  return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
}
