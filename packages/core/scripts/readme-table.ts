const START = /<!-- presets:start[^>]*-->/;
const END = "<!-- presets:end -->";

/** A README with the text between its preset-table markers replaced by `table`. */
export function withPresetTable(readme: string, table: string): string {
  const start = readme.match(START);
  const end = readme.indexOf(END);
  if (!start || start.index === undefined || end < start.index)
    throw new Error("preset table markers not found");
  const open = start.index + start[0].length;
  return `${readme.slice(0, open)}\n${table}\n${readme.slice(end)}`;
}
