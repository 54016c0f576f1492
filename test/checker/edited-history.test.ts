import { describe, expect, it } from "vitest";
import type { Verdict } from "../../harness/checker/checker.js";
import { CHECKERS } from "../../harness/checker/index.js";
import { checkInput, judge, type Recordings, readRecordings } from "../../harness/run/judge-run.js";
import type { WireFrame } from "../../harness/wire/wire-query.js";
import type { WireEvent } from "../../harness/wire/wire-tap.js";

/**
 * A real recorded run (freeze-1-of-4 on the local broker: worker 4 frozen holding Job[2], which worker 1 then
 * did; the zombie's late result dropped), with one defect edited into its record at a time. Each check must
 * pass the run as recorded and fail (or be unable to tell) on the edit, with a witness.
 */
const FIXTURE = new URL("../fixtures/runs/freeze-1-of-4", import.meta.url).pathname;
const NOT_OUTPUT = CHECKERS.filter((c) => c.name !== "output-oracle");

async function judged(edit: (r: Recordings) => void = () => {}): Promise<Record<string, Verdict>> {
  const recordings = readRecordings(FIXTURE);
  edit(recordings);
  const verdicts = await judge(checkInput(recordings), NOT_OUTPUT);
  return Object.fromEntries(verdicts.map((v) => [v.check, v]));
}

const isFrame = (e: WireEvent): e is WireFrame => e.kind === "frame";
const frames = (r: Recordings) => r.wire.filter(isFrame);
/** The job MESSAGE of `job` the broker sent over `link`, and the ACK that answered it on the same connection. */
function deliveryOf(r: Recordings, job: number, link: string) {
  const message = frames(r).find(
    (f) =>
      f.command === "MESSAGE" &&
      f.link === link &&
      f.headers["job-id"] === String(job) &&
      f.headers.destination?.endsWith(".jobs"),
  );
  if (!message) throw new Error(`the fixture has no delivery of Job[${job}] over ${link}`);
  const ack = frames(r).find(
    (f) => f.command === "ACK" && f.connection === message.connection && f.headers.id === message.headers.ack,
  );
  return { message, ack };
}
const remove = (r: Recordings, ...gone: (WireEvent | undefined)[]) => {
  r.wire = r.wire.filter((e) => !gone.includes(e));
};
/** The worker's ACK of `message`, on the connection that delivered it, reaching the tap at `at`. */
const ackOnItsConnection = (r: Recordings, message: WireFrame, at: number) => {
  r.wire.push({
    ...message,
    kind: "frame",
    direction: "to-broker",
    command: "ACK",
    at,
    firstAt: at,
    bodyBytes: 0,
    headers: { id: message.headers.ack },
  });
};

describe("the recorded run, as it was", () => {
  it("passes every check judged from the wire", async () => {
    const v = await judged();
    for (const c of NOT_OUTPUT) expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(v.detection.summary).toMatch(/freeze worker-4: Job\[2\] redelivered after \d+ ms/);
    expect(v["confirmed-before-ack"].summary).toMatch(/^[1-9]\d* job ACKs, each after its result's RECEIPT/);
  });
});

describe("one defect edited into the record", () => {
  it("a missing ACK: acked-once fails, and the worker's claim of it contradicts the wire", async () => {
    const v = await judged((r) => remove(r, deliveryOf(r, 3, "worker-1").ack));
    expect(v["acked-once"].status).toBe("fail");
    expect(v["acked-once"].summary).toMatch(/Job\[3\]: 0/);
    expect(JSON.stringify(v["acked-once"].witness)).toContain("MESSAGE");
    expect(v["self-report"].status).toBe("fail");
    expect(v["self-report"].summary).toMatch(/worker-1 said ack-receipted.*Job\[3\]/);
  });

  it("an ACK on the wrong connection: acked-once fails and names the delivery it belongs to", async () => {
    const v = await judged((r) => {
      const { ack } = deliveryOf(r, 4, "worker-2");
      const other = deliveryOf(r, 1, "worker-3").message.connection;
      if (ack) ack.connection = other;
    });
    expect(v["acked-once"].status).toBe("fail");
    expect(v["acked-once"].summary).toMatch(
      /ACKs reached the broker on a connection that did not deliver what they name: worker-2 connection \d+ ACKed .* a delivery of Job\[4\]/,
    );
  });

  it("a second accept of a job nobody took back: acked-once and detection fail", async () => {
    const v = await judged((r) => {
      const { message, ack } = deliveryOf(r, 1, "worker-3");
      if (!ack) throw new Error("no ACK");
      const again = {
        ...message,
        at: message.at + 50,
        firstAt: message.firstAt + 50,
        headers: { ...message.headers, redelivered: "true", ack: "again" },
      };
      r.wire.push(again, {
        ...ack,
        at: ack.at + 60,
        firstAt: ack.firstAt + 60,
        headers: { ...ack.headers, id: "again" },
      });
      r.wire.sort((a, b) => a.at - b.at);
    });
    expect(v["acked-once"].status).toBe("fail");
    expect(v["acked-once"].summary).toMatch(/Job\[1\]: 2/);
    expect(v.detection.status).toBe("fail");
    expect(v.detection.summary).toMatch(/redeliveries no fault explains \(Job\[1\]/);
  });

  it("a redelivery that never came: detection fails, and the chunk was never ACKed", async () => {
    const v = await judged((r) => {
      const { message, ack } = deliveryOf(r, 2, "worker-1");
      remove(r, message, ack);
    });
    expect(v.detection.status).toBe("fail");
    expect(v.detection.summary).toMatch(/freeze of worker-4: Job\[2\] was never sent to another connection/);
    expect(v["acked-once"].status).toBe("fail");
  });

  it("a frozen worker the broker never dropped, that ACKed its job itself after the heal: detection fails", async () => {
    const v = await judged((r) => {
      const frozen = deliveryOf(r, 2, "worker-4").message;
      const redone = deliveryOf(r, 2, "worker-1");
      const closes = r.wire.filter((e) => e.kind === "close" && e.connection === frozen.connection);
      remove(r, redone.message, redone.ack, ...closes);
      const heal = r.ops.find((o) => o.f === "heal freeze" && o.type === "ok");
      ackOnItsConnection(r, frozen, (heal?.at ?? frozen.at) + 20);
    });
    expect(v.detection.status).toBe("fail");
    expect(v.detection.summary).toMatch(/the faulted attempt ACKed Job\[2\] itself \d+ ms after the fault/);
  });

  it("an ACK in flight as the worker froze, read by the tap while it was stopped: no job was held, so the freeze proves nothing", async () => {
    const v = await judged((r) => {
      const frozen = deliveryOf(r, 2, "worker-4").message;
      const redone = deliveryOf(r, 2, "worker-1");
      remove(r, redone.message, redone.ack);
      const stopped = r.ops.find((o) => o.f === "freeze" && o.type === "ok");
      ackOnItsConnection(r, frozen, (stopped?.at ?? frozen.at) + 2);
    });
    expect(v.detection.status).toBe("pass");
    expect(v["faults-landed"].status).toBe("unknown");
    expect(v["faults-landed"].summary).toMatch(/freeze of worker-4 .*held no unACKed job/);
  });

  it("a fault that never landed: faults-landed cannot tell, and the run's redelivery is unexplained", async () => {
    const v = await judged((r) => {
      const ok = r.ops.find((o) => o.f === "freeze" && o.type === "ok");
      if (!ok) throw new Error("no freeze");
      ok.type = "fail";
      ok.value = { error: "process 4242 had already exited" };
    });
    expect(v["faults-landed"].status).toBe("unknown");
    expect(v["faults-landed"].summary).toMatch(
      /freeze of worker-4 did not happen: process 4242 had already exited/,
    );
    expect(v["faults-landed"].witness).toBeDefined();
    expect(v.detection.status).toBe("fail");
  });

  it("a result that never reached the broker: none-lost fails and the worker's claim is contradicted", async () => {
    const v = await judged((r) => {
      const sends = frames(r).filter(
        (f) =>
          f.command === "SEND" && f.headers["job-id"] === "3" && f.headers.destination?.endsWith(".results"),
      );
      const taken = frames(r).filter(
        (f) => f.link === "server" && f.headers["job-id"] === "3" && f.command === "MESSAGE",
      );
      const acks = frames(r).filter(
        (f) =>
          f.link === "server" && f.command === "ACK" && taken.some((m) => m.headers.ack === f.headers.id),
      );
      remove(r, ...sends, ...taken, ...acks);
    });
    expect(v["none-lost"].status).toBe("fail");
    expect(v["none-lost"].summary).toMatch(
      /Job\[3\] \(chunk \d\): no result ever reached the broker: it is lost/,
    );
    expect(v["self-report"].status).toBe("fail");
  });

  it("an ACK moved before its result's RECEIPT: confirmed-before-ack fails, naming the job and the gap", async () => {
    const v = await judged((r) => {
      const { ack } = deliveryOf(r, 3, "worker-1");
      const send = frames(r).find(
        (f) => f.link === "worker-1" && f.command === "SEND" && f.headers["job-id"] === "3",
      );
      if (!ack || !send) throw new Error("the fixture has no result SEND and ACK of Job[3] on worker-1");
      remove(r, ack);
      r.wire.splice(r.wire.indexOf(send) + 1, 0, { ...ack, at: send.at + 1, firstAt: send.at + 1 });
    });
    expect(v["confirmed-before-ack"].status).toBe("fail");
    expect(v["confirmed-before-ack"].summary).toMatch(
      /1 of \d+ job ACKs came before their result was confirmed: Job\[3\] on worker-1: ACKed at \d+ ms, 1 ms after its result SEND, before its RECEIPT/,
    );
  });

  it("an ACK moved before its result's SEND: confirmed-before-ack fails (the work was let go before it was done)", async () => {
    const v = await judged((r) => {
      const { message, ack } = deliveryOf(r, 3, "worker-1");
      if (!ack) throw new Error("the fixture has no ACK of Job[3] on worker-1");
      remove(r, ack);
      r.wire.splice(r.wire.indexOf(message) + 1, 0, { ...ack, at: message.at + 1, firstAt: message.at + 1 });
    });
    expect(v["confirmed-before-ack"].status).toBe("fail");
    expect(v["confirmed-before-ack"].summary).toMatch(
      /Job\[3\] on worker-1: ACKed at \d+ ms, before its result was sent/,
    );
  });

  it("a torn line in the record: history-complete cannot tell, nor can a check that then misses a frame", async () => {
    const v = await judged((r) => {
      r.torn.push({ source: "wire", what: 'wire.jsonl line 40: not JSON: {"kind":"fra' });
      remove(r, deliveryOf(r, 3, "worker-1").ack);
    });
    expect(v["history-complete"].status).toBe("unknown");
    expect(v["history-complete"].summary).toMatch(/line 40/);
    expect(v["acked-once"].status).toBe("unknown");
    expect(v["acked-once"].summary).toMatch(/^cannot tell \(wire\.jsonl line 40.*\): .*Job\[3\]: 0/);
    expect(v["broker-oracle"].status).toBe("pass");
  });

  it("a broker that could not be read: broker-oracle cannot tell", async () => {
    const v = await judged((r) => {
      r.facts.broker = { error: "management API: connect ECONNREFUSED" };
    });
    expect(v["broker-oracle"].status).toBe("unknown");
  });

  it("a missing ACK after a broker restart that lost a queue: the broker's loss, not the product's, so unknown", async () => {
    const v = await judged((r) => {
      remove(r, deliveryOf(r, 3, "worker-1").ack);
      const at = r.ops[r.ops.length - 1]?.at ?? 0;
      const target = { index: -1, link: "broker", pid: 0 };
      r.ops.push(
        { process: "nemesis", type: "invoke", f: "heal broker-crash", id: 900, at, target, value: {} },
        {
          process: "nemesis",
          type: "ok",
          f: "heal broker-crash",
          id: 900,
          at: at + 1,
          target,
          value: { restarted: true, stompPort: 1, leaderless: "x.jobs" },
        },
      );
    });
    expect(v["acked-once"].status).toBe("unknown");
    expect(v["acked-once"].summary).toMatch(
      /^cannot tell \(the broker itself lost the content of quorum queue x\.jobs.*\): .*Job\[3\]: 0/,
    );
    // What the product says of itself does not depend on what the broker kept.
    expect(v["self-report"].status).toBe("fail");
  });
});
