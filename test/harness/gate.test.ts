import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKERS } from "../../harness/checker/index.js";
import { parseXml } from "../report/mini-xml.js";
import { GATE_CLI, type ReportJson, runHarnessCli } from "./run-cli.js";

type Report = ReportJson & {
  songs: { label: string; status: string; error?: string; expect: string; done: boolean }[];
};

describe("npm run gate", () => {
  // Timeout: seven scenarios in a row.
  it("runs a suite on one broker: the new scenarios pass on the product, the broken server fails, one JUnit file says which", async () => {
    const run = await runHarnessCli(GATE_CLI, [
      "--suite",
      "test/fixtures/suites/workload.json",
      "--broker",
      "local",
    ]);
    expect(run.code, run.output).toBe(1);
    const report = (name: string) =>
      JSON.parse(readFileSync(join(run.outDir, name, "report.json"), "utf8")) as Report;
    const check = (name: string, c: string) => report(name).checks.find((x) => x.check === c);

    // One broker for the suite: started once, not once per scenario.
    expect(run.output.match(/shared by the scenarios that neither kill nor configure it/g)).toHaveLength(1);
    expect(run.output).toMatch(/\| server-crash-ack-before-save\s+\| 21\s+\| FAIL\s+\|/);
    expect(run.output).toMatch(/gate: FAIL \(7 scenarios in \d+ s, budget 600 s\)/);

    const xml = parseXml(readFileSync(join(run.outDir, "junit.xml"), "utf8"));
    const suites = xml.filter((e) => e.name === "testsuite");
    expect(suites.map((s) => s.attributes.name)).toEqual(
      [
        "server-crash-result-ack",
        "server-crash-ack-before-save",
        "poison-body",
        "poison-forged",
        "reset-mid-song",
        "many-songs",
        "forged-result",
      ].map((n) => `encore.${n}`),
    );
    expect(xml.filter((e) => e.name === "testcase")).toHaveLength(7 * CHECKERS.length);
    const failed = suites.filter((s) => s.attributes.failures !== "0").map((s) => s.attributes.name);
    expect(failed).toEqual(["encore.server-crash-ack-before-save"]);

    // The server killed as its ACK of a result passed: the product kept it; the broken server did not.
    expect(check("server-crash-result-ack", "faults-landed")?.summary).toMatch(/server-kill server: exited/);
    expect(check("server-crash-ack-before-save", "liveness")?.summary).toMatch(
      /every chunk's result was ACKed by the server, Job\[\d+\]'s \d+ ms before the server-kill: a result ACKed and not kept/,
    );
    // A copy of a real job whose body does not match its headers: set aside at its first delivery, never returned.
    expect(check("poison-body", "bad-input-set-aside")?.summary).toMatch(
      /poison-job: delivered 1 times, returned 0 \(limit 5\), dead-lettered by worker-\d/,
    );
    // A forged copy that reads as sound: it fails in the workers' hands up to the limit, then it is set aside.
    expect(check("poison-forged", "bad-input-set-aside")?.summary).toMatch(
      /poison-job: delivered \d+ times, returned 4 \(limit 5\), dead-lettered by worker-\d/,
    );
    // Neither copy is the real job: every song is done, the copied one too.
    for (const name of ["poison-body", "poison-forged"])
      expect(report(name).songs.map((s) => [s.label, s.status])).toEqual([
        ["a", "done"],
        ["b", "done"],
      ]);
    expect(check("reset-mid-song", "reset-cancels")?.summary).toMatch(/1 songs gone after the reset \(404\)/);
    expect(check("many-songs", "output-oracle")?.summary).toMatch(/a: 6 files match.*b: .*c: .*d: /);
    // A forged result (silent stems, another job-digest) that came first: set aside by the server, the output exact.
    expect(check("forged-result", "bad-input-set-aside")?.summary).toMatch(
      /bad-result: delivered 1 times, returned 0 \(limit 5\), dead-lettered by server/,
    );
    expect(check("forged-result", "output-oracle")?.summary).toMatch(/largest difference [01] LSB/);
  }, 600_000);
});
