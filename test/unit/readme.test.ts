import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config/settings.js";
import { withSettingsTable } from "../../src/config/settings-table.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("holds the settings table exactly as `npm run settings` prints it", () => {
    expect(withSettingsTable(readme)).toBe(readme);
    for (const s of Object.values(SETTINGS)) expect(readme).toContain(`| \`${s.env}\` | \`--${s.flag}\` |`);
  });

  it("gives the test command that .ci/run runs", () => {
    const ci = readFileSync(new URL("../../.ci/run", import.meta.url), "utf8");
    expect(readme).toContain("bash scripts/test.sh");
    expect(ci).toContain("bash scripts/test.sh");
  });
});
