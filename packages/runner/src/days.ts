// Calendar days as YYYY-MM-DD strings (UTC).

/** The UTC day of an instant. */
export function dayOf(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** The day `n` days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000);
}
