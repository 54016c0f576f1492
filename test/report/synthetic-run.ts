import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { judgeRun } from "../../harness/run/judge-run.js";
import { type RunFacts, type RunRecord, writeRunFacts } from "../../harness/run/run-record.js";
import type { Scenario } from "../../harness/scenario/scenario.js";
import type { EventFields } from "../../src/events/event-log.js";

/** Monotonic ms of the synthetic run's start; event times below are ms after it. */
const ORIGIN = 5_000_000;

/** [events file (without .jsonl), ms since the start, type, fields] */
type Step = [file: string, at: number, type: string, fields?: EventFields];

const pidOf = (file: string) =>
  file === "harness" ? 50 : file === "server" ? 100 : 200 + Number(file.replace("worker-", ""));

function writeEvents(dir: string, steps: readonly Step[]): void {
  mkdirSync(join(dir, "events"), { recursive: true });
  for (const [file, at, type, fields] of steps) {
    const event = {
      wall: 1_795_000_000_000 + at,
      mono: ORIGIN + at,
      pid: pidOf(file),
      proc: file.startsWith("worker-") ? "worker" : file,
      type,
      ...fields,
    };
    appendFileSync(join(dir, "events", `${file}.jsonl`), `${JSON.stringify(event)}\n`);
  }
}

/** A worker's whole handling of one delivery that goes well, from delivery to ACK receipt. */
function handled(
  file: string,
  worker: string,
  job: number,
  at: number,
  doneAt: number,
  redelivered = false,
): Step[] {
  const ids = { worker, job, music: 1, chunk: job - 1 };
  return [
    [
      file,
      at,
      "job-delivered",
      { ...ids, connection: `c-${worker}`, redelivered, deliveryCount: redelivered ? 1 : 0 },
    ],
    [file, at + 2, "work-started", ids],
    [file, doneAt, "work-finished", ids],
    [file, doneAt + 5, "result-published", ids],
    [file, doneAt + 6, "ack-sent", { ...ids, connection: `c-${worker}` }],
    [file, doneAt + 8, "ack-receipted", { ...ids, connection: `c-${worker}` }],
    ["server", doneAt + 7, "result-accepted", { ...ids, redelivered, jobMs: doneAt - at }],
  ];
}

const published = (jobs: number): Step[] =>
  Array.from({ length: jobs }, (_, i) => [
    "server",
    1000,
    "job-published",
    { job: i + 1, music: 1, chunk: i, chunks: jobs },
  ]);

const connected = (workers: readonly string[]): Step[] =>
  workers.map((worker, i) => [
    `worker-${i + 1}`,
    100 + i,
    "connected",
    { worker, connection: `c-${worker}` },
  ]);

const songEnd = (at: number): Step[] => [
  ["server", at, "merge-started", { music: 1 }],
  ["server", at + 150, "merge-finished", { music: 1, ms: 150 }],
  ["server", at + 160, "song-done", { music: 1, totalMs: at + 160 - 1000 }],
];

function scenario(name: string, description: string, healthy: number, unhealthy = 0): Scenario {
  return {
    name,
    description,
    workers: { healthy, unhealthy, kind: "standard" },
    song: { seconds: 2 * (healthy + unhealthy), split: "per-worker" },
    jobSeconds: [50, 50],
    heartbeatMs: 1000,
    faults: [],
    timeScale: 0.02,
    budgetSeconds: 500,
  };
}

function facts(s: Scenario, deliveries: number, songMs: number, output: RunFacts["output"]): RunFacts {
  const chunks = s.workers.healthy + s.workers.unhealthy;
  const stats = (queue: string, publish: number) => ({
    queue,
    ready: 0,
    unacked: 0,
    publish,
    deliver: publish + deliveries - chunks,
    redeliver: deliveries - chunks,
    ack: publish,
  });
  return {
    scenario: s,
    plan: {
      seed: 11,
      workerJobMs: Array(chunks).fill(1000),
      faults: [],
      song: { voiceHz: 400, bassHz: 60, leftHz: 300, rightHz: 600 },
      budgetMs: 10_000,
    },
    seed: 11,
    replay: `npm run scenario ${s.name} -- --seed 11 --broker local`,
    expectedChunks: chunks,
    origin: ORIGIN,
    environment: {
      broker: { kind: "local", description: "synthetic broker <none> & no process", why: "a test fixture" },
      toxiproxy: { kind: "embedded", description: "synthetic Toxiproxy" },
    },
    broker: { jobs: stats("q.jobs", chunks), results: stats("q.results", chunks) },
    output,
    song: { status: "done", done: true, elapsedMs: songMs, budgetMs: 10_000 },
    timings: {
      startedAt: "2026-11-24T12:00:00.000Z",
      brokerReadyMs: 400,
      clusterReadyMs: 900,
      songMs,
      referenceMs: 700,
      wallMs: 9000,
    },
  };
}

export const CRASH_AND_FREEZE = {
  workers: ["aaaa001", "bbbb002", "cccc003", "dddd004"],
  deliveries: 6,
  kills: 1,
  freezes: 1,
  /** Job 4 (killed on worker 4) went to worker 1; job 3 (frozen on worker 3) to worker 2. */
  handovers: 2,
  failedChecks: ["output-oracle"],
};

/**
 * Four workers, four chunks: worker 4 is killed mid-job and worker 3 frozen mid-job, then resumed to find its
 * ACK stale and its result a duplicate; both chunks are redone elsewhere. The output comparison "failed", with
 * markup in its message, so a report has a failure and something to escape.
 */
export function writeCrashAndFreezeRun(dir: string): void {
  const [w1, w2, w3, w4] = CRASH_AND_FREEZE.workers;
  const stuck = (file: string, worker: string, job: number): Step[] => [
    [
      file,
      1012,
      "job-delivered",
      {
        worker,
        job,
        music: 1,
        chunk: job - 1,
        connection: `c-${worker}`,
        redelivered: false,
        deliveryCount: 0,
      },
    ],
    [file, 1014, "work-started", { worker, job, music: 1, chunk: job - 1 }],
  ];
  const ids3 = { worker: w3, job: 3, music: 1, chunk: 2 };
  writeEvents(dir, [
    ["server", 0, "connected", { connection: "c-server" }],
    ...connected(CRASH_AND_FREEZE.workers),
    ...published(4),
    ...handled("worker-1", w1, 1, 1010, 2000),
    ...handled("worker-2", w2, 2, 1011, 2100),
    ...stuck("worker-3", w3, 3),
    ...stuck("worker-4", w4, 4),
    ["harness", 1400, "fault-injected", { fault: "kill", target: 4, targetPid: 204, worker: w4 }],
    ["harness", 1400, "fault-injected", { fault: "freeze", target: 3, targetPid: 203, worker: w3 }],
    ...handled("worker-1", w1, 4, 2010, 3000, true),
    ...handled("worker-2", w2, 3, 3400, 4400, true),
    ...songEnd(4450),
    ["harness", 5000, "fault-healed", { fault: "freeze", target: 3, worker: w3 }],
    ["worker-3", 5001, "work-finished", ids3],
    ["worker-3", 5010, "result-published", ids3],
    ["worker-3", 5011, "ack-sent", { ...ids3, connection: `c-${w3}` }],
    ["worker-3", 5012, "ack-failed", { ...ids3, connection: `c-${w3}`, reason: "connection is gone" }],
    ["server", 5015, "duplicate-dropped", ids3],
  ]);
  const s = scenario("synthetic-crash-and-freeze", 'one worker <killed> & one "frozen"', 2, 2);
  writeRunFacts(
    dir,
    facts(s, CRASH_AND_FREEZE.deliveries, 3610, { error: 'reference run failed: <stderr> said "no" & quit' }),
  );
  writeFileSync(
    join(dir, "timeline.log"),
    [
      "2026-11-24 12:00:00 - INFO - Harness: scenario <synthetic> & friends",
      "2026-11-24 12:00:01 - WARNING - Simulating workers crash.",
    ].join("\n"),
  );
}

/** `workers` workers, one chunk each, no fault: every chunk done once. */
export function writeCalmRun(dir: string, workers: number): void {
  const ids = Array.from({ length: workers }, (_, i) => `w${String(i + 1).padStart(6, "0")}`);
  writeEvents(dir, [
    ...connected(ids),
    ...published(workers),
    ...ids.flatMap((w, i) => handled(`worker-${i + 1}`, w, i + 1, 1010 + i, 2000 + 10 * i)),
    ...songEnd(2000 + 10 * workers + 20),
  ]);
  writeRunFacts(
    dir,
    facts(scenario(`synthetic-calm-${workers}`, `${workers} workers, no faults`, workers), workers, 1500, {
      maxDifference: 0,
      samples: 10,
      referenceSamples: 10,
    }),
  );
}

/** Writes a synthetic run folder, judges it as `npm run report` would, and removes the folder. */
export function judgeSynthetic(write: (dir: string) => void): RunRecord {
  const dir = mkdtempSync(join(tmpdir(), "encore-report-"));
  try {
    write(dir);
    return judgeRun(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
