import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("../../", import.meta.url).pathname;
const workflow: unknown = parse(readFileSync(`${root}.github/workflows/gate.yml`, "utf8"));
const scripts = Object.keys(
  (JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { scripts: Record<string, string> }).scripts,
);

function steps(): { run?: string; uses?: string; with?: Record<string, unknown> }[] {
  const jobs = (workflow as { jobs?: Record<string, { steps?: unknown[] }> }).jobs ?? {};
  return Object.values(jobs).flatMap((j) => (j.steps ?? []) as { run?: string; uses?: string }[]);
}

describe("the GitHub workflow", () => {
  const runs = steps().flatMap((s) => (s.run ? s.run.split(/&&|\n/).map((c) => c.trim()) : []));

  it("calls only scripts and npm commands that exist", () => {
    const called = runs.flatMap((c) => {
      const bash = /^bash (\S+)/.exec(c);
      const npm = /^npm run (\S+)/.exec(c);
      return bash
        ? [{ c, ok: existsSync(`${root}${bash[1]}`) }]
        : npm
          ? [{ c, ok: scripts.includes(npm[1]) }]
          : [];
    });
    expect(called.map((x) => x.c)).toEqual(["bash scripts/setup.sh", "npm run gate"]);
    expect(called.filter((x) => !x.ok)).toEqual([]);
  });

  it("runs the suite the README names and keeps the reports", () => {
    expect(existsSync(`${root}scenarios/suites/gate.json`)).toBe(true);
    const upload = steps().find((s) => s.uses?.startsWith("actions/upload-artifact"));
    expect(upload?.with?.path).toBe("reports/");
    expect(existsSync(`${root}reports`)).toBe(true);
  });
});
