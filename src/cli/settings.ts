import { SETTINGS } from "../config/settings.js";

/** Prints the settings table for the README, straight from the settings module. */
const rows = Object.values(SETTINGS).map(
  (s) => `| \`${s.env}\` | \`--${s.flag}\` | \`${s.default}\` | ${s.doc} |`,
);
process.stdout.write(
  `${["| variable | flag | default | meaning |", "|---|---|---|---|", ...rows].join("\n")}\n`,
);
