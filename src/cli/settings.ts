import { readFileSync, writeFileSync } from "node:fs";
import { settingsTable, withSettingsTable } from "../config/settings-table.js";
import { fromRoot } from "../process/project-paths.js";

/** Prints the settings table; `--readme` writes it into README.md instead, so the two cannot drift. */
if (process.argv.includes("--readme")) {
  const readme = fromRoot("README.md");
  writeFileSync(readme, withSettingsTable(readFileSync(readme, "utf8")));
} else {
  process.stdout.write(`${settingsTable()}\n`);
}
