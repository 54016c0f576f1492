import { describe, expect, it } from "vitest";
import { runScenarioCli } from "./run-cli.js";

/** The cluster scenarios on the local three-node cluster (each boots its own: about 30 s of a run's minute). */
describe("cluster scenarios", () => {
  it.each([
    [
      "node-loss-3",
      "leader-crash",
      /kill -9 of the job queue's leader of node-\d: its \d+ client connections/,
    ],
    ["node-restart-3", "node-crash", /kill -9 of node-3: its \d+ client connections/],
    ["node-freeze-3", "node-freeze", /every process of node-2 in state T/],
    [
      "client-failover-3",
      "node-cut",
      /cut of every client link of node-1: its \d+ client connections \(server, /,
    ],
  ])(
    "%s passes every check: the %s landed, each client of the node failed over, its jobs came back",
    async (name, fault, landed) => {
      const run = await runScenarioCli([name, "--seed", "7"]);
      expect(run.code, run.output).toBe(0);
      const report = run.report();
      expect(report.environment.broker.kind).toBe("cluster");
      const check = (n: string) => report.checks.find((c) => c.check === n)?.summary;
      expect(check("faults-landed")).toMatch(landed);
      expect(check("failover")).toMatch(/^\d+ clients of node-\d connected again within \d+ ms/);
      const held = report.detections.filter((d) => d.fault === fault && d.job !== null);
      expect(held.length).toBeGreaterThan(0);
      for (const d of held) expect(d.detectionMs).not.toBeNull();
    },
    300_000,
  );

  it("node-loss-3 with the jobs in a classic queue (one node's): a chunk is lost, and the checks say so", async () => {
    const flags = ["--seed", "7", "--worker-kind", "classic-jobs", "--server-kind", "classic-jobs"];
    const run = await runScenarioCli(["node-loss-3", ...flags]);
    expect(run.code, run.output).toBe(1);
    const verdict = (n: string) => run.report().checks.find((c) => c.check === n);
    expect(verdict("none-lost")?.ok).toBe(false);
    // How the chunk is lost depends on what the dead node held when it went: the job itself (no result ever
    // made), or, in one run of six, results that reached the broker while the server, its job SENDs to the dead
    // queue unconfirmed, ACKed none of them before the budget ran out.
    expect(verdict("none-lost")?.summary).toMatch(
      /Job\[\d+\] \(chunk \d+\): (no result ever reached the broker: it is lost|\d+ results reached the broker, the server ACKed none)/,
    );
    expect(verdict("liveness")?.summary).toMatch(/not done within/);
    expect(run.output).toContain(`replay: npm run scenario node-loss-3 -- ${flags.join(" ")}`);
  }, 400_000);

  it("node-loss-3 with workers that keep only their first node: failover names the ones left behind", async () => {
    const run = await runScenarioCli(["node-loss-3", "--seed", "7", "--worker-kind", "first-node-only"]);
    expect(run.code, run.output).toBe(1);
    const failover = run.report().checks.find((c) => c.check === "failover");
    expect(failover?.ok).toBe(false);
    expect(failover?.summary).toMatch(
      /^worker-\d lost node-\d \(leader-crash\) and never connected to another node$/,
    );
  }, 300_000);
});
