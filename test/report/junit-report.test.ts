import { describe, expect, it } from "vitest";
import { CHECKERS } from "../../harness/checker/index.js";
import { junitXml } from "../../harness/report/junit-report.js";
import { parseXml } from "./mini-xml.js";
import { CRASH_AND_FREEZE, judgeSynthetic, writeCalmRun, writeCrashAndFreezeRun } from "./synthetic-run.js";

const run = await judgeSynthetic(writeCrashAndFreezeRun);

describe("junitXml", () => {
  const xml = junitXml([run]);
  const elements = parseXml(xml);
  const named = (name: string) => elements.filter((e) => e.name === name);

  it("is well-formed XML with one suite named after the scenario", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(elements[0].name).toBe("testsuites");
    expect(named("testsuite").map((s) => s.attributes.name)).toEqual(["encore.synthetic-crash-and-freeze"]);
  });

  it("has one test case per check, failures for the failed ones", () => {
    const cases = named("testcase");
    expect(cases.map((c) => c.attributes.name)).toEqual(run.checks.map((c) => c.check));
    expect(cases.every((c) => c.attributes.classname === "encore.synthetic-crash-and-freeze")).toBe(true);
    const failed = named("failure").map((f) => f.parent?.attributes.name);
    expect(failed).toEqual(CRASH_AND_FREEZE.failedChecks);
    expect(named("testsuite")[0].attributes).toMatchObject({
      tests: String(CHECKERS.length),
      failures: "1",
      errors: "0",
    });
  });

  it("escapes the failure's message and witness, which hold markup", () => {
    const failure = named("failure")[0];
    expect(failure.attributes.message).toBe('reference run failed: <stderr> said "no" & quit');
    expect(JSON.parse(failure.text)).toEqual({
      dir: "output",
      error: 'reference run failed: <stderr> said "no" & quit',
    });
    expect(xml).not.toContain("<stderr>");
  });

  it("records the seed, the broker and the replay command as properties", () => {
    const properties = Object.fromEntries(
      named("property").map((p) => [p.attributes.name, p.attributes.value]),
    );
    expect(properties).toEqual({
      seed: "11",
      broker: "local: synthetic broker <none> & no process",
      replay: "npm run scenario synthetic-crash-and-freeze -- --seed 11 --broker local",
    });
  });

  it("has no failure when every check passed", async () => {
    const calm = parseXml(junitXml([await judgeSynthetic((dir) => writeCalmRun(dir, 3))]));
    expect(calm.filter((e) => e.name === "testcase")).toHaveLength(CHECKERS.length);
    expect(calm.filter((e) => e.name === "failure")).toHaveLength(0);
  });
});
