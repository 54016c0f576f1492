import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { judgeRun } from "../../harness/run/judge-run.js";
import {
  type RunFacts,
  type RunRecord,
  type SongFacts,
  writeRunFacts,
} from "../../harness/run/run-record.js";
import type { Scenario } from "../../harness/scenario/scenario.js";
import { STEM_NAMES } from "../../src/audio/pcm.js";
import { encodeWav } from "../../src/audio/wav.js";
import type { EventFields } from "../../src/events/event-log.js";

/** Monotonic ms of the synthetic run's start; event times below are ms after it. */
const ORIGIN = 5_000_000;

/** [events file (without .jsonl), ms since the start, type, fields] */
type Step = [file: string, at: number, type: string, fields?: EventFields];

const QUEUES = { jobs: "/queue/q.jobs", results: "/queue/q.results" };

/** The wire as the taps would have seen it: [ms since the start, link, command or open/close, headers]. */
type Wire = [at: number, link: string, what: string, headers?: Record<string, string>, bodyBytes?: number];

/** Connection numbers: the server's link is 1, worker-N's first connection 1 + N, a later one 100 + N. */
const connectionOf = (link: string, later = false) =>
  link === "server" ? 1 : Number(link.replace("worker-", "")) + (later ? 100 : 1);

const TO_BROKER = new Set(["SEND", "ACK", "NACK", "SUBSCRIBE", "CONNECT"]);

function writeWire(dir: string, wire: readonly Wire[]): void {
  const lines = [...wire]
    .sort((a, b) => a[0] - b[0])
    .map(([at, link, what, headers = {}, bodyBytes = 0]) => {
      const connection = Number(headers.connection ?? connectionOf(link));
      const h = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== "connection"));
      const mono = ORIGIN + at;
      if (what === "open") return { kind: "open", link, connection, at: mono };
      if (what === "close")
        return {
          kind: "close",
          link,
          connection,
          at: mono,
          direction: "from-broker",
          how: "end",
          pendingBytes: 0,
        };
      const direction = TO_BROKER.has(what) ? "to-broker" : "from-broker";
      return {
        kind: "frame",
        link,
        connection,
        direction,
        at: mono,
        firstAt: mono,
        command: what,
        headers: h,
        bodyBytes,
      };
    });
  writeFileSync(join(dir, "wire.jsonl"), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
}

/** [ms since the start, id, type, f, target index, value] of the harness's own operations. */
type Op = [
  at: number,
  id: number,
  type: string,
  f: string,
  target: number,
  value: Record<string, string | number>,
];

function writeOps(dir: string, ops: readonly Op[]): void {
  const lines = ops.map(([at, id, type, f, index, value]) => ({
    process: "nemesis",
    type,
    f,
    id,
    at: ORIGIN + at,
    target: { index, link: `worker-${index}`, pid: 200 + index },
    value,
  }));
  writeFileSync(join(dir, "history.jsonl"), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
}

/** A job's delivery to a worker, on the wire. */
const delivered = (link: string, job: number, at: number, redelivered = false, later = false): Wire => [
  at,
  link,
  "MESSAGE",
  {
    connection: String(connectionOf(link, later)),
    destination: QUEUES.jobs,
    ack: `A-${connectionOf(link, later)}-${job}`,
    "job-id": String(job),
    "music-id": "1",
    "chunk-index": String(job - 1),
    redelivered: String(redelivered),
  },
  1000,
];

/** A result: the worker's SEND (receipted), the broker's MESSAGE to the server and the server's ACK. */
const resultFlow = (link: string, job: number, at: number, n: number, later = false): Wire[] => [
  [
    at,
    link,
    "SEND",
    {
      connection: String(connectionOf(link, later)),
      destination: QUEUES.results,
      "job-id": String(job),
      receipt: `r${job}-${n}`,
    },
    5000,
  ],
  [at, link, "RECEIPT", { connection: String(connectionOf(link, later)), "receipt-id": `r${job}-${n}` }],
  [
    at + 2,
    "server",
    "MESSAGE",
    { destination: QUEUES.results, ack: `R-${job}-${n}`, "job-id": String(job) },
    5000,
  ],
  [at + 2, "server", "ACK", { id: `R-${job}-${n}` }],
];

/** Every link connects and subscribes; the server publishes the jobs. */
const wireStart = (workers: number, jobs: number): Wire[] => [
  [0, "server", "open"],
  [0, "server", "SUBSCRIBE", { id: "s-1", destination: QUEUES.results }],
  ...Array.from({ length: workers }, (_, i): Wire[] => [
    [100 + i, `worker-${i + 1}`, "open"],
    [100 + i, `worker-${i + 1}`, "SUBSCRIBE", { id: "s-1", destination: QUEUES.jobs }],
  ]).flat(),
  ...Array.from(
    { length: jobs },
    (_, i): Wire => [
      1000,
      "server",
      "SEND",
      { destination: QUEUES.jobs, "job-id": String(i + 1), "music-id": "1", "chunk-index": String(i) },
      1000,
    ],
  ),
];

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

/** The wire of a delivery that goes well, matching handled(). */
const handledWire = (link: string, job: number, at: number, doneAt: number, redelivered = false): Wire[] => [
  delivered(link, job, at, redelivered),
  ...resultFlow(link, job, doneAt + 5, 1),
  [doneAt + 6, link, "ACK", { id: `A-${connectionOf(link)}-${job}` }],
];

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
    workload: [
      {
        at: 0,
        op: "upload",
        song: "song",
        seconds: 2 * (healthy + unhealthy),
        tracks: ["drums", "bass", "other"],
      },
    ],
    server: { kind: "standard" },
    jobSeconds: [50, 50],
    heartbeatMs: 1000,
    deliveryLimit: 5,
    brokerNodes: 1,
    faults: [],
    timeScale: 0.02,
    budgetSeconds: 500,
  };
}

function facts(
  s: Scenario,
  deliveries: number,
  songMs: number,
  output: SongFacts["output"],
  ids: readonly string[],
): RunFacts {
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
      songs: { song: { voiceHz: 400, bassHz: 60, leftHz: 300, rightHz: 600 } },
      budgetMs: 10_000,
    },
    seed: 11,
    replay: `npm run scenario ${s.name} -- --seed 11 --broker local`,
    origin: ORIGIN,
    environment: {
      broker: { kind: "local", description: "synthetic broker <none> & no process", why: "a test fixture" },
      toxiproxy: { kind: "embedded", description: "synthetic Toxiproxy" },
    },
    queues: QUEUES,
    links: [
      { link: "server", index: 0, pid: 100, workerId: null },
      ...ids.map((workerId, i) => ({ link: `worker-${i + 1}`, index: i + 1, pid: 201 + i, workerId })),
    ],
    machine: { loopDelayMaxMs: 20, loopDelayP99Ms: 12, loadAverage: 0.5 },
    broker: { jobs: stats("q.jobs", chunks), results: stats("q.results", chunks) },
    songs: [
      {
        label: "song",
        file: "song.mp3",
        seconds: s.song.seconds,
        tracks: ["drums", "bass", "other"],
        chunks,
        musicId: 1,
        status: "done",
        done: true,
        elapsedMs: songMs,
        budgetMs: 10_000,
        output,
        reference: { dir: "reference" },
      },
    ],
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
    ...handled("worker-1", w1, 4, 2010, 3000, true),
    ...handled("worker-2", w2, 3, 3400, 4400, true),
    ...songEnd(4450),
    ["worker-3", 5001, "work-finished", ids3],
    ["worker-3", 5010, "result-published", ids3],
    ["worker-3", 5011, "ack-sent", { ...ids3, connection: `c-${w3}` }],
    ["worker-3", 5012, "ack-failed", { ...ids3, connection: `c-${w3}`, reason: "connection is gone" }],
    ["server", 5015, "duplicate-dropped", ids3],
  ]);
  writeWire(dir, [
    ...wireStart(4, 4),
    ...handledWire("worker-1", 1, 1010, 2000),
    ...handledWire("worker-2", 2, 1011, 2100),
    delivered("worker-3", 3, 1012),
    delivered("worker-4", 4, 1012),
    // The kill resets worker 4's connection at once; the broker drops frozen worker 3's after missed heart-beats.
    [1400, "worker-4", "close"],
    ...handledWire("worker-1", 4, 2010, 3000, true),
    [3390, "worker-3", "close"],
    ...handledWire("worker-2", 3, 3400, 4400, true),
    // Resumed, the zombie reconnects and publishes its late result, which the server drops (and ACKs).
    [5005, "worker-3", "open", { connection: String(connectionOf("worker-3", true)) }],
    ...resultFlow("worker-3", 3, 5010, 2, true),
  ]);
  writeOps(dir, [
    [1400, 1, "invoke", "kill", 4, { worker: w4 }],
    [1401, 1, "ok", "kill", 4, { dead: "dead 1 ms after SIGKILL", effectAt: ORIGIN + 1400 }],
    [1400, 2, "invoke", "freeze", 3, { worker: w3 }],
    [1402, 2, "ok", "freeze", 3, { stopped: "in state T 2 ms after SIGSTOP", effectAt: ORIGIN + 1400 }],
    [5000, 3, "invoke", "heal freeze", 3, { worker: w3 }],
    [5000, 3, "ok", "heal freeze", 3, { resumed: 1 }],
  ]);
  const s = scenario("synthetic-crash-and-freeze", 'one worker <killed> & one "frozen"', 2, 2);
  s.faults = [
    { at: 20, fault: "kill", targets: [4] },
    { at: 20, fault: "freeze", targets: [3], for: 72 },
  ];
  const f = facts(
    s,
    CRASH_AND_FREEZE.deliveries,
    3610,
    { dir: "output", error: 'reference run failed: <stderr> said "no" & quit' },
    CRASH_AND_FREEZE.workers,
  );
  f.plan.faults = [
    { fault: "kill", atMs: 400, targets: [4], params: {} },
    { fault: "freeze", atMs: 400, forMs: 3600, targets: [3], params: {} },
  ];
  writeRunFacts(dir, f);
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
  writeWire(dir, [
    ...wireStart(workers, workers),
    ...ids.flatMap((_, i) => handledWire(`worker-${i + 1}`, i + 1, 1010 + i, 2000 + 10 * i)),
  ]);
  writeOps(dir, []);
  writeCalmOutputs(dir);
  writeRunFacts(
    dir,
    facts(
      scenario(`synthetic-calm-${workers}`, `${workers} workers, no faults`, workers),
      workers,
      1500,
      { dir: "output" },
      ids,
    ),
  );
}

/** The same tiny WAV as every output and its reference, and the MP3 ffmpeg makes of it: an exact match. */
function writeCalmOutputs(dir: string): void {
  const wav = encodeWav(new Int16Array(2 * 4410).map((_, i) => (i % 200) - 100));
  for (const sub of ["output", "reference"]) {
    mkdirSync(join(dir, sub), { recursive: true });
    for (const name of [...STEM_NAMES, "final"]) writeFileSync(join(dir, sub, `${name}.wav`), wav);
  }
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-i",
    join(dir, "output", "final.wav"),
    join(dir, "output", "final.mp3"),
  ]);
}

/** Writes a synthetic run folder, judges it as `npm run report` would, and removes the folder. */
export async function judgeSynthetic(write: (dir: string) => void): Promise<RunRecord> {
  const dir = mkdtempSync(join(tmpdir(), "encore-report-"));
  try {
    write(dir);
    return await judgeRun(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
