import { describe, expect, it } from "vitest";
import { INJECTED } from "../../harness/nemesis/injected-message.js";
import { type Recordings, readRecordings } from "../../harness/run/judge-run.js";
import type { WireFrame } from "../../harness/wire/wire-query.js";
import { fixture, frames, judged, NOT_OUTPUT } from "../support/recorded-run.js";

/**
 * Two real recorded runs of the workload scenarios on the local broker, with one defect edited into each
 * record at a time: reset-mid-song (song a reset mid-song, song b after) and poison-job (a poison copy of
 * song a's first job, dead-lettered by a worker after 5 NACKs; songs b and c finish).
 */
describe("reset-mid-song, as recorded and edited", () => {
  it("passes every check as recorded", async () => {
    const v = await judged("reset-mid-song");
    for (const c of NOT_OUTPUT) expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(v["reset-cancels"].summary).toMatch(/1 songs gone after the reset \(404\); \d+ later deliveries/);
  });

  it("a job of the reset song worked on after the reset: reset-cancels fails, naming it", async () => {
    const v = await judged("reset-mid-song", (r) => {
      const facts = r.facts;
      const resetAt = r.ops.find((o) => o.f === "reset" && o.type === "ok")?.at ?? 0;
      const gone = facts.songs.find((s) => s.label === "a")?.musicId;
      const late = frames(r).find(
        (f) =>
          f.command === "MESSAGE" &&
          f.at > resetAt &&
          f.headers["music-id"] === String(gone) &&
          f.headers.destination?.endsWith(".jobs"),
      );
      if (!late) throw new Error("the fixture has no delivery after the reset");
      // The worker sends that job's result instead of dropping it.
      r.wire.push({
        ...late,
        direction: "to-broker",
        command: "SEND",
        at: late.at + 5,
        firstAt: late.at + 5,
        headers: {
          destination: facts.queues.results,
          "job-id": late.headers["job-id"],
          "music-id": late.headers["music-id"],
          "encore-type": "job-done",
        },
      });
      r.wire.sort((a, b) => a.at - b.at);
    });
    expect(v["reset-cancels"].status).toBe("fail");
    expect(v["reset-cancels"].summary).toMatch(
      /Job\[\d+\] of a reset song was delivered to worker-\d .* after the reset and worked on/,
    );
    expect(JSON.stringify(v["reset-cancels"].witness)).toContain("MESSAGE");
  });

  it("the old song still answers after the reset: reset-cancels fails; not read at all: it cannot tell", async () => {
    const answered = await judged("reset-mid-song", (r) => {
      const a = r.facts.songs.find((s) => s.label === "a");
      if (a) a.afterReset = { status: 200, songStatus: "done" };
    });
    expect(answered["reset-cancels"].status).toBe("fail");
    expect(answered["reset-cancels"].summary).toMatch(/answered 200 \(done\) after the reset, not 404/);
    const unread = await judged("reset-mid-song", (r) => {
      const a = r.facts.songs.find((s) => s.label === "a");
      if (a) a.afterReset = undefined;
    });
    expect(unread["reset-cancels"].status).toBe("unknown");
  });
});

describe("poison-forged with failures counted by the workers, as recorded and edited", () => {
  const injected = (f: WireFrame) => f.headers[INJECTED] !== undefined;

  it("passes every check as recorded: each failure is a copy sent back (receipted) before the ACK", async () => {
    const v = await judged("poison-sent-back");
    for (const c of NOT_OUTPUT) expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(v["bad-input-set-aside"].summary).toMatch(
      /delivered 5 times, returned 4 \(limit 5\), dead-lettered/,
    );
    expect(v["broker-oracle"].summary).toMatch(/^publish 21, deliver 21, redeliver 0, ack 21; queues empty/);
  });

  it("a copy whose delivery was never ACKed may start a second count; past two limits it still loops", async () => {
    /** Drops the ACK that followed the first copy sent back, and adds `extra` copies sent back later. */
    const forked = (extra: number) => (r: Recordings) => {
      const copies = frames(r).filter(
        (f) => injected(f) && f.command === "SEND" && f.headers.destination?.endsWith(".jobs"),
      );
      const first = copies[0];
      if (!first) throw new Error("the fixture has no copy sent back");
      const ack = frames(r).find(
        (f) => f.command === "ACK" && f.connection === first.connection && f.at > first.at,
      );
      if (!ack) throw new Error("the fixture has no ACK after the first copy");
      r.wire.splice(r.wire.indexOf(ack), 1);
      for (let i = 1; i <= extra; i++) r.wire.push({ ...first, at: first.at + i, firstAt: first.at + i });
      r.wire.sort((a, b) => a.at - b.at);
    };
    const within = await judged("poison-sent-back", forked(5));
    expect(within["bad-input-set-aside"].status).toBe("pass");
    expect(within["bad-input-set-aside"].summary).toMatch(/returned 9 \(limit 5 for each of 2 copies\)/);
    const past = await judged("poison-sent-back", forked(7));
    expect(past["bad-input-set-aside"].status).toBe("fail");
    expect(past["bad-input-set-aside"].summary).toMatch(
      /returned to the queue 11 times .* past the limit of 5 for each of 2 copies \(1 sent back by a delivery never ACKed\)/,
    );
  });

  it("an ACK moved before its copy's RECEIPT: confirmed-before-ack fails (a crash between loses the job)", async () => {
    const v = await judged("poison-sent-back", (r) => {
      const copy = frames(r).find(
        (f) => injected(f) && f.command === "SEND" && f.headers.destination?.endsWith(".jobs"),
      );
      const receipt = frames(r).find(
        (f) =>
          f.command === "RECEIPT" &&
          f.connection === copy?.connection &&
          f.headers["receipt-id"] === copy?.headers.receipt,
      );
      if (!copy || !receipt) throw new Error("the fixture has no receipted copy sent back");
      const ack = frames(r).find(
        (f) => f.command === "ACK" && f.connection === copy.connection && f.at > receipt.at,
      );
      if (!ack) throw new Error("the fixture has no ACK after the copy's RECEIPT");
      r.wire.splice(r.wire.indexOf(ack), 1);
      r.wire.splice(r.wire.indexOf(copy) + 1, 0, { ...ack, at: copy.at + 1, firstAt: copy.at + 1 });
    });
    expect(v["confirmed-before-ack"].status).toBe("fail");
    expect(v["confirmed-before-ack"].summary).toMatch(
      /job ACKs came before their result was confirmed: Job\[\d+\] on worker-\d: ACKed at \d+ ms, 1 ms after its copy sent back SEND, before its RECEIPT/,
    );
  });
});

describe("poison-job, as recorded and edited", () => {
  const poison = (f: WireFrame) => f.headers[INJECTED] === "poison-job";

  it("passes every check as recorded", async () => {
    const v = await judged("poison-job");
    for (const c of NOT_OUTPUT) expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(v["bad-input-set-aside"].summary).toMatch(
      /poison-job: delivered 6 times, returned 5 \(limit 5\), dead-lettered by worker-\d/,
    );
  });

  it("never copied to the dead-letter queue: bad-input-set-aside fails", async () => {
    const v = await judged("poison-job", (r) => {
      r.wire = r.wire.filter((e) => !(e.kind === "frame" && poison(e) && e.command === "SEND"));
    });
    expect(v["bad-input-set-aside"].status).toBe("fail");
    expect(v["bad-input-set-aside"].summary).toMatch(
      /delivered 6 times and never sent to the dead-letter queue/,
    );
  });

  it("NACKed more often than the limit: bad-input-set-aside fails, it loops", async () => {
    const v = await judged("poison-job", (r) => {
      const nacks = frames(r).filter((f) => f.command === "NACK");
      r.wire.push(...nacks.map((n) => ({ ...n, at: n.at + 1 })));
      r.wire.sort((a, b) => a.at - b.at);
    });
    expect(v["bad-input-set-aside"].status).toBe("fail");
    expect(v["bad-input-set-aside"].summary).toMatch(
      /returned to the queue 10 times \(10 NACKs, 0 copies sent back; .*\), past the limit of 5: it loops/,
    );
  });

  it("sent back by workers (a copy with its failure count) more often than the limit: it loops", async () => {
    const v = await judged("poison-job", (r) => {
      // Each NACK becomes what a worker that counts failures sends: a copy of the job back to the jobs queue.
      const jobs = frames(r).find((f) => poison(f) && f.command === "MESSAGE")?.headers.destination;
      const deliveries = frames(r).filter((f) => poison(f) && f.command === "MESSAGE");
      r.wire.push(
        ...deliveries.map((d) => ({
          ...d,
          command: "SEND",
          direction: "to-broker" as const,
          headers: { ...d.headers, destination: jobs ?? "" },
          at: d.at + 1,
        })),
      );
      // …and ACKs the failed delivery after it.
      r.wire = r.wire.map((e) => (e.kind === "frame" && e.command === "NACK" ? { ...e, command: "ACK" } : e));
      r.wire.sort((a, b) => a.at - b.at);
    });
    expect(v["bad-input-set-aside"].status).toBe("fail");
    expect(v["bad-input-set-aside"].summary).toMatch(
      /returned to the queue 6 times \(0 NACKs, 6 copies sent back; delivered 6 times\), past the limit of 5: it loops/,
    );
  });

  it("as recorded, song a finished from its real job; had it failed, liveness fails: a poison copy is not its job", async () => {
    const v = await judged("poison-job");
    expect(v.liveness.summary).toMatch(/a done in/);
    const failed = await judged("poison-job", (r) => {
      const a = r.facts.songs.find((s) => s.label === "a");
      if (!a) throw new Error("the fixture has no song a");
      Object.assign(a, {
        status: "failed",
        done: false,
        error: "Job[1]: malformed job",
        elapsedMs: undefined,
      });
    });
    expect(failed.liveness.status).toBe("fail");
    expect(failed.liveness.summary).toMatch(
      /song a .*failed \("Job\[1\]: malformed job"\) although nothing the harness did allows it to fail/,
    );
  });
});

/**
 * chaos-4028 (found by the chaos soak): the server killed as it published Job[3] republishes Job[1] on its
 * restart, so two copies of Job[1] are out; the second copy's worker loses its connection to a broker crash,
 * and the broker delivers that copy again. Two copies, two ACKs: a repeat a second copy explains is not one
 * the broker crash must explain too.
 */
describe("chaos-4028, as recorded and edited", () => {
  const jobOneAcks = (r: Recordings) =>
    frames(r).filter(
      (f) =>
        f.command === "ACK" &&
        frames(r).some(
          (m) =>
            m.command === "MESSAGE" &&
            m.connection === f.connection &&
            m.headers.ack === f.headers.id &&
            m.headers["job-id"] === "1" &&
            m.headers.destination?.endsWith(".jobs"),
        ),
    );

  it("passes every check as recorded, with Job[1] published twice and ACKed twice", async () => {
    const v = await judged("chaos-4028");
    for (const c of NOT_OUTPUT) expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(jobOneAcks(readRecordings(fixture("chaos-4028")))).toHaveLength(2);
  });

  it("the second copy never ACKed: acked-once fails on Job[1]", async () => {
    const v = await judged("chaos-4028", (r) => {
      const last = jobOneAcks(r).at(-1);
      r.wire = r.wire.filter((e) => e !== last);
    });
    expect(v["acked-once"].status).toBe("fail");
    expect(v["acked-once"].summary).toMatch(/Job\[1\]: 1 ACKs of 2 published/);
  });

  it("Job[1] delivered and ACKed twice more after the crash: acked-once fails, beyond what the crash can explain", async () => {
    const v = await judged("chaos-4028", (r) => {
      const ack = jobOneAcks(r).at(-1);
      const message = frames(r).find(
        (m) =>
          m.command === "MESSAGE" && m.connection === ack?.connection && m.headers.ack === ack?.headers.id,
      );
      if (!ack || !message) throw new Error("the fixture has no ACKed delivery of Job[1]");
      for (const n of [1, 2]) {
        const again = `${message.headers.ack}-again-${n}`;
        const at = ack.at + 100 * n;
        r.wire.push(
          { ...message, at, firstAt: at, headers: { ...message.headers, ack: again, "message-id": again } },
          { ...ack, at: at + 20, firstAt: at + 20, headers: { ...ack.headers, id: again } },
        );
      }
    });
    expect(v["acked-once"].status).toBe("fail");
    expect(v["acked-once"].summary).toMatch(/Job\[1\]: 4 ACKs of 2 published/);
  });
});

/**
 * The same record, with the broker's counters as recorded but read live just before the connection that sent
 * `command` to `queue` closed: that connection was still up, so its counts may not be missing.
 */
function readWhileOpen(r: Recordings, queue: string, command: string): void {
  const sent = frames(r).find((f) => f.command === command && f.headers.destination === queue);
  const close = r.wire.find((e) => e.kind === "close" && e.connection === sent?.connection);
  if (!sent || !close)
    throw new Error(`the fixture has no closed connection that sent ${command} to ${queue}`);
  const { jobs, results } = r.facts.broker;
  r.facts.broker.live = { at: close.at - 1, jobs, results };
}

/**
 * chaos-5009 (found by the soak): the server killed 0.2 s after it published a song's 6 jobs. The broker's
 * counters never heard of those publishes ("publish 0"): the management API can forget a closed channel's counts.
 */
describe("chaos-5009, as recorded and edited", () => {
  it("passes every check as recorded, saying which counts may have gone unreported", async () => {
    const v = await judged("chaos-5009");
    for (const c of NOT_OUTPUT) expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(v["broker-oracle"].summary).toMatch(/publish 0, .*may have gone unreported .*: publish 6/);
  });

  it("the same counters read while the server's connection was still up: publish 0 is a fail", async () => {
    const v = await judged("chaos-5009", (r) => readWhileOpen(r, r.facts.queues.jobs, "SEND"));
    expect(v["broker-oracle"].status).toBe("fail");
    expect(v["broker-oracle"].summary).toMatch(/published 0, expected 6$/);
  });

  it("more publishes counted than the wire shows: a fail, however many went unreported", async () => {
    const v = await judged("chaos-5009", (r) => {
      const jobs = r.facts.broker.jobs;
      if (jobs) r.facts.broker.jobs = { ...jobs, publish: 7 };
    });
    expect(v["broker-oracle"].status).toBe("fail");
    expect(v["broker-oracle"].summary).toMatch(/published 7, expected 6 \(6 may have gone unreported/);
  });
});

/**
 * server-crash-result-ack seed 106 (the gate, session 4): the server killed 1.5 s after its 8 job SENDs, as its
 * first result ACK passed. The broker still counted none of them, nor that ACK or its 2 deliveries.
 */
describe("server-crash-106, as recorded and edited", () => {
  it("passes every check as recorded: a closed connection's counts may be missing, whatever their age", async () => {
    const v = await judged("server-crash-106");
    for (const c of NOT_OUTPUT) expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(v["broker-oracle"].summary).toMatch(/publish 0, .*may have gone unreported .*: publish 8/);
  });

  it("the same counters read while the server's connection was still up: publish 0 of 8 is a fail", async () => {
    const v = await judged("server-crash-106", (r) => readWhileOpen(r, r.facts.queues.jobs, "SEND"));
    expect(v["broker-oracle"].status).toBe("fail");
    expect(v["broker-oracle"].summary).toMatch(/published 0, expected 8$/);
  });

  it("a worker's ACKs counted twice: a fail, though the server's connection was killed", async () => {
    const v = await judged("server-crash-106", (r) => {
      const jobs = r.facts.broker.jobs;
      if (jobs) r.facts.broker.jobs = { ...jobs, ack: 9 };
    });
    expect(v["broker-oracle"].status).toBe("fail");
    expect(v["broker-oracle"].summary).toMatch(/acked 9, expected 8/);
  });
});

/**
 * chaos-5003 (found by the soak): the server stopped 10 ms after its first 3 job SENDs, and a poison job the
 * harness injected on a connection of its own, closed as the RECEIPT came. The counters, read live, held none
 * of those 4 publishes. Recorded before forged copies were told apart: that product failed song a on the poison
 * copy's report, which liveness now calls a fail.
 */
describe("chaos-5003, as recorded and edited", () => {
  it("passes every other check as recorded: the stopped server's and the harness's own publishes may be missing", async () => {
    const v = await judged("chaos-5003");
    for (const c of NOT_OUTPUT.filter((c) => c.name !== "liveness"))
      expect(v[c.name].status, `${c.name}: ${v[c.name].summary}`).toBe("pass");
    expect(v["broker-oracle"].summary).toMatch(/publish 9, .*may have gone unreported .*: publish 4/);
  });

  it("fails liveness as recorded: the product of then failed song a on its forged copy's report", async () => {
    const v = await judged("chaos-5003");
    expect(v.liveness.status).toBe("fail");
    expect(v.liveness.summary).toMatch(
      /song a \(Music\[1\]\): failed \("Job\[1\]: Job\[1\] delivered 6 times"\) although nothing the harness did allows it to fail/,
    );
  });

  it("one publish fewer, in both readings, than the connections that closed can explain: a fail", async () => {
    const v = await judged("chaos-5003", (r) => {
      const { live, jobs } = r.facts.broker;
      if (live?.jobs) r.facts.broker.live = { ...live, jobs: { ...live.jobs, publish: 8 } };
      if (jobs) r.facts.broker.jobs = { ...jobs, publish: 8 };
    });
    expect(v["broker-oracle"].status).toBe("fail");
    expect(v["broker-oracle"].summary).toMatch(/published 8, expected 13 \(4 may have gone unreported/);
  });
});

/**
 * chaos-5052 (found by the soak): the live reading lagged ("deliver 5, ack 0", the counters still for 3 s with
 * the cluster idle); the reading after the processes stopped had all 6 ACKs.
 */
describe("chaos-5052, as recorded and edited", () => {
  it("passes broker-oracle as recorded: each counter is the larger of the two readings", async () => {
    const v = await judged("chaos-5052");
    expect(v["broker-oracle"].status, v["broker-oracle"].summary).toBe("pass");
    expect(v["broker-oracle"].summary).toMatch(/ack 6/);
  });

  it("the end reading short of the ACKs too: a fail", async () => {
    const v = await judged("chaos-5052", (r) => {
      const jobs = r.facts.broker.jobs;
      if (jobs) r.facts.broker.jobs = { ...jobs, ack: 0 };
    });
    expect(v["broker-oracle"].status).toBe("fail");
    expect(v["broker-oracle"].summary).toMatch(/acked 0, expected 6/);
  });
});

/**
 * chaos-5012 (found by the soak): a poison copy of song b's first job, then a reset. The one worker that got
 * the poison after the reset dropped it as cancelled (ACKed, no result), as every job of a reset song is.
 */
describe("chaos-5012, as recorded and edited", () => {
  it("passes bad-input-set-aside as recorded: the poison went with its song's reset", async () => {
    const v = await judged("chaos-5012");
    expect(v["bad-input-set-aside"].status).toBe("pass");
    expect(v["bad-input-set-aside"].summary).toMatch(/dropped as cancelled after its song's reset/);
    expect(v["reset-cancels"].status).toBe("pass");
  });

  it("the poison ACKed unread before any reset: bad-input-set-aside fails", async () => {
    const v = await judged("chaos-5012", (r) => {
      const poisonAck = frames(r).find(
        (f) =>
          f.command === "ACK" &&
          frames(r).some(
            (m) =>
              m.command === "MESSAGE" &&
              m.headers[INJECTED] === "poison-job" &&
              m.connection === f.connection &&
              m.headers.ack === f.headers.id,
          ),
      );
      for (const op of r.ops) if (op.f === "reset") op.at = (poisonAck?.at ?? 0) + 1;
    });
    expect(v["bad-input-set-aside"].status).toBe("fail");
    expect(v["bad-input-set-aside"].summary).toMatch(
      /delivered 1 times and never sent to the dead-letter queue/,
    );
  });

  it("every song reset away: liveness cannot tell, it does not fail the product", async () => {
    const v = await judged("chaos-5012", (r) => {
      r.facts.songs = r.facts.songs.filter((s) => s.label !== "r");
    });
    expect(v.liveness.status).toBe("unknown");
    expect(v.liveness.summary).toBe("no song was left to finish");
  });
});

/**
 * chaos-5042 (found by the soak): the server killed as it sent song a's first job, restarted, republished; the
 * song was done at 3.6 s, its poison dead-lettered after that, and the republished jobs' duplicate results ACKed
 * later still. A poison copy is not the song's job: done is what it must be, whenever the copy was set aside.
 */
describe("chaos-5042, as recorded and edited", () => {
  it("passes liveness as recorded: the poison was set aside after the song's last chunk was taken", async () => {
    const v = await judged("chaos-5042");
    expect(v.liveness.status).toBe("pass");
  });

  it("the poison set aside before the song's last chunk was taken changes nothing: it is not the song's job", async () => {
    const v = await judged("chaos-5042", (r) => {
      const setAside = frames(r).find(
        (f) =>
          f.command === "SEND" &&
          f.headers[INJECTED] === "poison-job" &&
          f.headers.destination === r.facts.queues.deadLetter,
      );
      if (!setAside) throw new Error("the fixture has no dead-lettered poison");
      setAside.at = frames(r)[0]?.at ?? 0;
    });
    expect(v.liveness.status).toBe("pass");
  });
});

/**
 * chaos-5039 (found by the soak): the broker was killed as the server sent jobs 7–11; their RECEIPTs never came,
 * the server sent them again after the restart, and only those second copies existed to be ACKed (once each).
 */
describe("chaos-5039, as recorded and edited", () => {
  it("passes acked-once as recorded: copies the broker never confirmed before its crash may be gone", async () => {
    const v = await judged("chaos-5039");
    expect(v["acked-once"].status, v["acked-once"].summary).toBe("pass");
    expect(v["none-lost"].status).toBe("pass");
  });

  it("the first copy of Job[7] confirmed before the crash, yet ACKed once in all: a fail", async () => {
    const v = await judged("chaos-5039", (r) => {
      const send = frames(r).find(
        (f) =>
          f.command === "SEND" && f.headers["job-id"] === "7" && f.link === "server" && f.connection === 1,
      );
      if (!send) throw new Error("the fixture has no first SEND of Job[7]");
      r.wire.push({
        ...send,
        direction: "from-broker",
        command: "RECEIPT",
        at: send.at + 1,
        firstAt: send.at + 1,
        headers: { "receipt-id": send.headers.receipt ?? "" },
      });
    });
    expect(v["acked-once"].status).toBe("fail");
    expect(v["acked-once"].summary).toMatch(/Job\[7\]: 1 ACKs of 2 published/);
  });
});
