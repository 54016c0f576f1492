import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESES } from "../../harness/nemesis/index.js";
import { listScenarios, resolveScenario } from "../../harness/scenario/resolve-scenario.js";
import { readSuite } from "../../harness/scenario/suite.js";
import { validateScenario } from "../../harness/scenario/validate-scenario.js";
import { planRun } from "../../harness/schedule/plan.js";

const BASE = {
  workers: { healthy: 4 },
  song: { seconds: 16, split: 2 },
  jobSeconds: [60, 90],
  timeScale: 0.02,
  budgetSeconds: 2500,
};
const check = (extra: Record<string, unknown>) => validateScenario({ ...BASE, ...extra }, "x.json", NEMESES);

describe("a scenario's workload and wire triggers, as read from a file", () => {
  it("defaults to one song of song.seconds, mixed for karaoke", () => {
    expect(check({}).workload).toEqual([
      { at: 0, op: "upload", song: "song", seconds: 16, tracks: ["drums", "bass", "other"] },
    ]);
  });

  it.each([
    [{ workload: [] }, /workload is \[\]: expected a list of operations/],
    [{ workload: [{ at: 5, op: "upload", song: "a" }] }, /workload\[0\] must be an upload at 0/],
    [{ workload: [{ at: 0, op: "upload", song: "A b" }] }, /workload\[0\]\.song is "A b": expected a label/],
    [
      {
        workload: [
          { at: 0, op: "upload", song: "a" },
          { at: 1, op: "remix", song: "b" },
        ],
      },
      /workload\[1\]\.song: "b" is not uploaded before/,
    ],
    [
      { workload: [{ at: 0, op: "upload", song: "a", tracks: ["drums", "kazoo"] }] },
      /workload\[0\]\.tracks\[1\] is "kazoo": expected one of drums, bass, vocals, other/,
    ],
    [
      { workload: [{ at: 0, op: "dance" }] },
      /workload\[0\]\.op is "dance": expected one of upload, remix, reset/,
    ],
    [{ faults: [{ fault: "kill", targets: "unhealthy" }] }, /give either "at" \(a time\) or "on"/],
    [
      { faults: [{ at: 1, on: { event: "job-ack" }, fault: "kill" }] },
      /give either "at" \(a time\) or "on" \(a wire trigger\), not both/,
    ],
    [
      { faults: [{ on: { event: "job-done" }, fault: "kill" }] },
      /faults\[0\]\.on\.event is "job-done": expected one of job-sent/,
    ],
    [{ faults: [{ on: { event: "job-ack", link: "worker-9" }, fault: "kill" }] }, /on\.link is "worker-9"/],
    [
      { faults: [{ on: { event: "job-ack", song: "zz" }, fault: "kill" }] },
      /on\.song is "zz": expected one of song/,
    ],
    [
      { faults: [{ at: 3, fault: "kill", targets: "trigger" }] },
      /only a fault with "on" has a triggering link/,
    ],
    [
      { faults: [{ at: 3, fault: "poison-job", targets: "broker" }] },
      /poison-job acts on a frame: give "on" with event job-sent/,
    ],
    [{ server: { kind: "sloppy" } }, /server\.kind is "sloppy": expected one of standard, ack-before-save/],
    [{ deliveryLimit: 0 }, /deliveryLimit is 0: expected a whole number from 1 to 100/],
  ])("names the bad field: %j", (extra, message) => {
    expect(() => check(extra)).toThrow(message);
  });

  it("plans a wire-triggered fault with no time, and the server's faults with a restart", () => {
    const s = check({
      faults: [
        { on: { event: "result-ack", link: "server", nth: 2 }, fault: "server-kill", targets: "server" },
        { on: { event: "result-receipt" }, fault: "kill", targets: "trigger" },
      ],
    });
    const plan = planRun(s, 5);
    expect(plan.faults).toEqual([
      {
        fault: "server-kill",
        trigger: { event: "result-ack", link: "server", nth: 2 },
        forMs: 1000,
        targets: [0],
        params: {},
      },
      { fault: "kill", trigger: { event: "result-receipt", nth: 1 }, targets: [], params: {} },
    ]);
  });

  it("gives each song its own tones, the same for the same seed", () => {
    const s = check({
      workload: [
        { at: 0, op: "upload", song: "a" },
        { at: 1, op: "upload", song: "b" },
      ],
    });
    const one = planRun(s, 9);
    expect(Object.keys(one.songs)).toEqual(["a", "b"]);
    expect(one.songs.a).not.toEqual(one.songs.b);
    expect(planRun(s, 9).songs).toEqual(one.songs);
  });

  it("every shipped scenario file is valid", () => {
    const invalid = listScenarios().filter((s) => s.description.startsWith("(invalid"));
    expect(invalid).toEqual([]);
  });
});

describe("a suite file", () => {
  const dir = mkdtempSync(join(tmpdir(), "encore-suite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const suite = (body: unknown) => {
    const file = join(dir, `s${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(body));
    return file;
  };

  it("resolves every scenario it lists, with its seed", () => {
    const s = readSuite(suite({ name: "g", scenarios: [{ name: "crash-1-of-3", seed: 4 }] }));
    expect(s.scenarios.map((x) => [x.name, x.seed, x.scenario.workers.unhealthy])).toEqual([
      ["crash-1-of-3", 4, 1],
    ]);
  });

  it.each([
    [{ scenarios: [] }, /scenarios is \[\]: expected a list/],
    [{ scenarios: [{ name: "crash-1-of-3" }] }, /scenarios\[0\]\.seed is undefined: expected a whole number/],
    [{ scenarios: [{ name: "no-such-thing", seed: 1 }] }, /unknown scenario "no-such-thing"/],
    [
      {
        scenarios: [
          { name: "crash-1-of-3", seed: 1 },
          { name: "crash-1-of-3", seed: 2 },
        ],
      },
      /scenario "crash-1-of-3" is listed twice/,
    ],
  ])("names what is wrong: %j", (body, message) => {
    expect(() => readSuite(suite(body))).toThrow(message);
  });

  it("the gate suite resolves", () => {
    const gate = readSuite(new URL("../../scenarios/suites/gate.json", import.meta.url).pathname);
    expect(gate.scenarios.length).toBeGreaterThan(0);
    expect(resolveScenario("poison-job").workload.length).toBe(3);
  });
});
