import { describe, expect, it } from "vitest";
import type { Recordings } from "../../harness/run/judge-run.js";
import { frames, judged, NOT_OUTPUT } from "../support/recorded-run.js";

/**
 * node-restart-3 seed 1 on the local three-node cluster (session 13): node 3 killed -9 1 s into the song, with
 * worker-2 and worker-5 connected to it holding Job[1] and Job[5]; both failed over at once and the jobs were
 * redelivered. Job[12] reached a client first as "delivery 3": the queue had handed it to consumers on the dead
 * node, deliveries no tap and no surviving counter saw. The broker's counters said deliver 12, redeliver 3.
 */
const RUN = "node-restart-3";

const nodeOps = (r: Recordings) => r.ops.filter((o) => o.process === "nemesis");

describe("node-restart-3, as recorded and edited", () => {
  it("passes every check as recorded; the node's fault is proven from its connections", async () => {
    const v = await judged(RUN);
    for (const c of NOT_OUTPUT) expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(v["faults-landed"].summary).toMatch(
      /kill -9 of node-3: its 2 client connections \(worker-2, worker-5\) closed within \d+ ms/,
    );
    expect(v.detection.summary).toMatch(/node-crash broker: Job\[1\] redelivered after \d+ ms/);
    expect(v["broker-oracle"].summary).toMatch(/^publish 12, deliver 12, redeliver 3, ack 12; queues empty/);
    expect(v.failover.summary).toMatch(
      /^2 clients of node-3 connected again within \d+ ms \(worker-2 → node-1 \d+ ms, worker-5 → node-1 \d+ ms\); the 2 jobs they held redelivered within \d+ ms$/,
    );
  });

  it("a client of the killed node that never connected again: failover fails, naming it", async () => {
    const v = await judged(RUN, (r) => {
      const killedAt = nodeOps(r).find((o) => o.type === "invoke")?.at ?? 0;
      r.wire = r.wire.filter(
        (e) => !(e.kind === "frame" && e.link === "worker-5" && e.command === "CONNECTED" && e.at > killedAt),
      );
    });
    expect(v.failover.status).toBe("fail");
    expect(v.failover.summary).toBe("worker-5 lost node-3 (node-crash) and never connected to another node");
  });

  it("without the node's death on record, deliver 12 of 12 + 3 redeliveries is a fail", async () => {
    const v = await judged(RUN, (r) => {
      const mine = new Set(nodeOps(r));
      r.ops = r.ops.filter((o) => !mine.has(o));
    });
    expect(v["broker-oracle"].status).toBe("fail");
    expect(v["broker-oracle"].summary).toMatch(/delivered 12, expected 12 \+ 3 redeliveries/);
  });

  it("more deliveries counted than the taps saw: a fail even with a node dead", async () => {
    const v = await judged(RUN, (r) => {
      const jobs = r.facts.broker.jobs;
      if (jobs) r.facts.broker.jobs = { ...jobs, deliver: 15 };
    });
    expect(v["broker-oracle"].status).toBe("fail");
    expect(v["broker-oracle"].summary).toMatch(/delivered 15, while the taps saw 14 job MESSAGEs/);
  });

  it("a connection to the killed node that stayed open: the fault does not count", async () => {
    const v = await judged(RUN, (r) => {
      const killedAt = nodeOps(r).find((o) => o.type === "invoke")?.at ?? 0;
      const onNode3 = new Set(
        r.wire.flatMap((e) => (e.kind === "open" && e.node === "node-3" ? [e.connection] : [])),
      );
      r.wire = r.wire.map((e) =>
        e.kind === "close" && onNode3.has(e.connection) && e.at > killedAt ? { ...e, at: e.at + 5000 } : e,
      );
    });
    expect(v["faults-landed"].status).not.toBe("pass");
    expect(v["faults-landed"].summary).toMatch(/stayed open 2000 ms after the kill -9/);
  });

  it("Job[1] never sent to another connection: detection fails on it", async () => {
    const v = await judged(RUN, (r) => {
      const first = frames(r).find((f) => f.command === "MESSAGE" && f.headers["job-id"] === "1");
      r.wire = r.wire.filter(
        (e) =>
          !(
            e.kind === "frame" &&
            e.headers["job-id"] === "1" &&
            e.connection !== first?.connection &&
            (e.command === "MESSAGE" || e.command === "SEND")
          ),
      );
    });
    expect(v.detection.status).toBe("fail");
    expect(v.detection.summary).toMatch(
      /node-crash of broker: Job\[1\] was never sent to another connection/,
    );
  });
});
