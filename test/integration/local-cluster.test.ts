import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portIsFree } from "../../src/broker/free-port.js";
import { LocalCluster } from "../../src/broker/local-cluster.js";
import { createLogger } from "../../src/log/logger.js";
import { QUORUM_QUEUE } from "../../src/messages/destinations.js";
import { encoreProcesses } from "../support/stray-processes.js";
import { testLink } from "../support/test-link.js";
import { waitFor } from "../support/wait-for.js";

const quiet = createLogger(() => {});
let cluster: LocalCluster;
const before = new Set(encoreProcesses().keys());

async function queueOn(url: string, queue: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/api/queues/%2F/${queue}`, {
    headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  cluster = await LocalCluster.start({ log: quiet });
}, 180_000);
afterAll(() => cluster?.stop());

describe("a local three-node cluster", () => {
  it("replicates a quorum queue on all three nodes, and keeps what it confirmed when its leader is killed", async () => {
    const [a, b, c] = cluster.nodes;
    if (!a || !b || !c) throw new Error("expected three nodes");
    expect(await a.runningNodes()).toEqual(expect.arrayContaining(cluster.nodes.map((n) => n.nodeName)));
    const onA = testLink(a);
    await onA.start();
    await onA.publish("/queue/cluster-test", { ...QUORUM_QUEUE, persistent: "true" }, "kept");
    await onA.close();
    const queue = await queueOn(b.managementUrl, "cluster-test");
    expect(queue.type).toBe("quorum");
    expect([...(queue.members as string[])].sort()).toEqual(cluster.nodes.map((n) => n.nodeName).sort());
    const leader = cluster.nodes.find((n) => n.nodeName === queue.leader);
    if (!leader) throw new Error(`leader ${String(queue.leader)} is no node of the cluster`);
    await leader.kill9();
    const survivor = cluster.nodes.find((n) => n !== leader);
    if (!survivor) throw new Error("no other node");
    const got: string[] = [];
    const onSurvivor = testLink(survivor);
    await onSurvivor.start();
    await onSurvivor.subscribe("/queue/cluster-test", { ack: "auto", ...QUORUM_QUEUE }, (d) =>
      got.push(d.body.toString()),
    );
    await waitFor("the confirmed message from the new leader", () => got.length === 1, 30_000);
    expect(got).toEqual(["kept"]);
    await onSurvivor.close();
    await leader.boot();
    await waitFor(
      "the killed node running in the cluster again",
      async () => (await survivor.runningNodes()).includes(leader.nodeName),
      30_000,
    );
  }, 120_000);

  it("stops every node, their epmd and their directories", async () => {
    const ports = cluster.nodes.flatMap((n) => [n.stompPort, n.managementPort]);
    const dirs = cluster.nodes.map((n) => n.dir);
    await cluster.stop();
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    const left = [...encoreProcesses()].filter(([pid]) => !before.has(pid));
    expect(left).toEqual([]);
  }, 60_000);
});
