import type { Verdict } from "../checker/checker.js";
import type { RunRecord } from "../run/run-record.js";
import { element, textElement } from "./markup.js";
import { prettyJson } from "./pretty-json.js";

const secondsAttr = (ms: number) => (ms / 1000).toFixed(3);

function testcase(c: Verdict, classname: string): string {
  // An unknown is an <error>: the run could not judge the property, which must not read as a pass.
  const failure = c.ok
    ? ""
    : textElement(
        c.status === "fail" ? "failure" : "error",
        { message: c.summary, type: c.status === "fail" ? "check-failed" : "check-unknown" },
        c.witness === undefined ? c.summary : prettyJson(c.witness),
      );
  const output = [c.title, c.summary, ...(c.figures ? [prettyJson(c.figures)] : [])].join("\n");
  // A check judges the recorded history in a blink; the run's time belongs to the suite.
  return element(
    "testcase",
    { classname, name: c.check, time: "0" },
    failure,
    textElement("system-out", {}, output),
  );
}

/** A scenario of a suite that was not run (the suite's budget ran out, its environment failed): an error. */
export interface NotRun {
  name: string;
  why: string;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  time: number;
}

function runSuite(run: RunRecord): { xml: string; counts: Counts } {
  const name = `encore.${run.input.scenario.name}`;
  const failures = run.checks.filter((c) => c.status === "fail").length;
  const errors = run.checks.filter((c) => c.status === "unknown").length;
  const properties = element(
    "properties",
    {},
    ...(
      [
        ["seed", String(run.seed)],
        ["broker", `${run.environment.broker.kind}: ${run.environment.broker.description}`],
        ["replay", run.replay],
      ] as const
    ).map(([key, value]) => element("property", { name: key, value })),
  );
  const counts = { tests: run.checks.length, failures, errors, time: run.timings.wallMs };
  const xml = element(
    "testsuite",
    {
      name,
      tests: counts.tests,
      failures,
      errors,
      skipped: 0,
      time: secondsAttr(counts.time),
      timestamp: run.timings.startedAt,
    },
    properties,
    ...run.checks.map((c) => testcase(c, name)),
  );
  return { xml, counts };
}

function notRunSuite(n: NotRun): { xml: string; counts: Counts } {
  const name = `encore.${n.name}`;
  const xml = element(
    "testsuite",
    { name, tests: 1, failures: 0, errors: 1, skipped: 0, time: "0" },
    element(
      "testcase",
      { classname: name, name: "run", time: "0" },
      textElement("error", { message: n.why, type: "not-run" }, n.why),
    ),
  );
  return { xml, counts: { tests: 1, failures: 0, errors: 1, time: 0 } };
}

/**
 * junit.xml: one test suite per run (scenario), one test case per check, so CI can show which property
 * failed; a scenario that could not run is one errored case.
 */
export function junitXml(runs: readonly (RunRecord | NotRun)[]): string {
  const suites = runs.map((r) => ("checks" in r ? runSuite(r) : notRunSuite(r)));
  const total = (key: keyof Counts) => suites.reduce((n, s) => n + s.counts[key], 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(
    "testsuites",
    {
      name: "encore",
      tests: total("tests"),
      failures: total("failures"),
      errors: total("errors"),
      time: secondsAttr(total("time")),
    },
    ...suites.map((s) => s.xml),
  )}\n`;
}
