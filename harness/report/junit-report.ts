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

/** junit.xml: one test suite per run, one test case per check, so CI can show which property failed. */
export function junitXml(run: RunRecord): string {
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
  const suite = element(
    "testsuite",
    {
      name,
      tests: run.checks.length,
      failures,
      errors,
      skipped: 0,
      time: secondsAttr(run.timings.wallMs),
      timestamp: run.timings.startedAt,
    },
    properties,
    ...run.checks.map((c) => testcase(c, name)),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(
    "testsuites",
    { name: "encore", tests: run.checks.length, failures, errors, time: secondsAttr(run.timings.wallMs) },
    suite,
  )}\n`;
}
