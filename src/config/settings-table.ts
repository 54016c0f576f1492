import { SETTINGS } from "./settings.js";

/** The settings as a Markdown table: what `npm run settings` prints and the README holds between its markers. */
export function settingsTable(): string {
  const rows = Object.values(SETTINGS).map(
    (s) => `| \`${s.env}\` | \`--${s.flag}\` | \`${s.default}\` | ${s.doc} |`,
  );
  return ["| variable | flag | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

export const README_MARKERS = [
  "<!-- settings table: npm run settings -- --readme -->",
  "<!-- end of settings table -->",
];

/** The README with its settings table replaced by the current one. */
export function withSettingsTable(readme: string): string {
  const [begin, end] = README_MARKERS;
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no "${begin}" … "${end}" block`);
  return `${readme.slice(0, from + begin.length)}\n${settingsTable()}\n${readme.slice(to)}`;
}
