import { readFileSync, rmSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isJsonObject, type JsonObject } from "../harness/json-object.js";
import { makeSongAsync } from "../src/audio/demo-song.js";
import { freePort } from "../src/broker/free-port.js";
import type { LocalBroker } from "../src/broker/local-broker.js";
import { loadSettings, settingsEnv } from "../src/config/settings.js";
import { type Child, spawnEntry, stopChild } from "../src/process/spawn-entry.js";
import { waitForHealth } from "../src/process/wait-for-health.js";
import { statusMb } from "./proc-status.js";

/** Memory of one long song's trip through a fresh server and workers, in MB (the broker's from its own API). */
export interface LongSongMemory {
  minutes: number;
  mp3Mb: number;
  uploadStatus: number;
  outcome: string;
  processingSeconds: number;
  serverIdleMb: number;
  serverUploadPeakMb: number;
  serverProcessingPeakMb: number;
  workerIdleMb: number;
  workerPeakMb: number;
  brokerIdleMb: number;
  brokerPeakMb: number;
  brokerAlarmMb: number;
  brokerAlarmRaised: boolean;
}

function objectOf(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${what} answered ${JSON.stringify(value)}`);
  return value;
}

interface BrokerMemory {
  usedMb: number;
  limitMb: number;
  alarm: boolean;
}

/** The node's memory as RabbitMQ counts it against its alarm (management API /api/nodes). */
async function brokerMemory(broker: LocalBroker): Promise<BrokerMemory> {
  const res = await fetch(`${broker.managementUrl}/api/nodes`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${broker.user}:${broker.password}`).toString("base64")}`,
    },
  });
  const nodes: unknown = await res.json();
  const node = objectOf(Array.isArray(nodes) ? nodes[0] : nodes, "/api/nodes");
  const { mem_used: used, mem_limit: limit, mem_alarm: alarm } = node;
  if (typeof used !== "number" || typeof limit !== "number")
    throw new Error("/api/nodes gave no mem_used and mem_limit");
  return { usedMb: used / 2 ** 20, limitMb: limit / 2 ** 20, alarm: alarm === true };
}

/** Runs `work` while `sample` is taken every `everyMs`; resolves with the work's value and the samples' peak. */
async function sampled<T>(
  sample: () => number | Promise<number>,
  everyMs: number,
  work: Promise<T>,
): Promise<{ value: T; peak: number }> {
  let peak = await sample();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, everyMs));
      peak = Math.max(peak, await sample());
    }
  })();
  try {
    return { value: await work, peak };
  } finally {
    stopped = true;
    await loop;
  }
}

async function waitSong(url: string, id: number): Promise<string> {
  for (;;) {
    const { status, error } = objectOf(await (await fetch(`${url}/music/${id}`)).json(), `GET /music/${id}`);
    if (status === "done") return "done";
    if (status === "failed") return `failed: ${String(error)}`;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A song of `minutes` made by ffmpeg, uploaded to a fresh server with `workers` workers on `broker`, then
 * processed (three tracks chosen). The server's RSS sampled from /proc every 50 ms in each phase, each worker's
 * high-water mark (VmHWM), the broker's memory every second. Everything it starts is stopped, also on failure.
 */
export async function longSongMemory(
  broker: LocalBroker,
  opts: { minutes: number; workers: number; maxSongSeconds?: number },
): Promise<LongSongMemory> {
  const work = await mkdtemp(join(tmpdir(), "encore-long-song-"));
  const children: Child[] = [];
  try {
    const file = await makeSongAsync(join(work, "song.mp3"), opts.minutes * 60);
    const port = await freePort();
    const settings = loadSettings([], process.env, {
      brokerHost: broker.host,
      brokerStompPort: String(broker.stompPort),
      serverPort: String(port),
      dataDir: join(work, "data"),
      queuePrefix: `long${opts.minutes}m${port}`,
      splitMode: "seconds",
      maxSongSeconds: String(opts.maxSongSeconds ?? Math.ceil(opts.minutes * 60 + 60)),
    });
    const env = { ...process.env, ...settingsEnv(settings) } as Record<string, string>;
    const server = spawnEntry("server", [], env);
    children.push(server);
    const workers = Array.from({ length: opts.workers }, () => spawnEntry("worker", [], env));
    children.push(...workers);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, () => server.exitCode !== null, "the server's output");
    // Workers connect within seconds of the server; their idle size is read once every one has started.
    await new Promise((r) => setTimeout(r, 3000));
    const pid = server.pid ?? 0;
    const serverIdleMb = statusMb(pid, "VmRSS");
    const workerIdleMb = Math.max(...workers.map((w) => statusMb(w.pid ?? 0, "VmRSS")));
    const brokerIdle = await brokerMemory(broker);
    const upload = await sampled(
      () => statusMb(pid, "VmRSS"),
      50,
      fetch(`${url}/music`, {
        method: "POST",
        headers: { "content-type": "audio/mpeg" },
        body: readFileSync(file),
      }).then(async (res) => ({ status: res.status, body: objectOf(await res.json(), "POST /music") })),
    );
    let outcome = `upload refused: ${JSON.stringify(upload.value.body)}`;
    let processingMb = 0;
    let brokerPeak = brokerIdle.usedMb;
    let alarm = brokerIdle.alarm;
    let processingSeconds = 0;
    const id = upload.value.body.music_id;
    if (upload.value.status === 200 && typeof id === "number") {
      const started = performance.now();
      const chosen = fetch(`${url}/music/${id}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([1, 2, 4]),
      }).then(() => waitSong(url, id));
      const [serverRun, brokerRun] = await Promise.all([
        sampled(() => statusMb(pid, "VmRSS"), 50, chosen),
        sampled(
          async () => {
            const now = await brokerMemory(broker);
            alarm ||= now.alarm;
            return now.usedMb;
          },
          1000,
          chosen,
        ),
      ]);
      processingSeconds = (performance.now() - started) / 1000;
      outcome = serverRun.value;
      processingMb = serverRun.peak;
      brokerPeak = brokerRun.peak;
    }
    return {
      minutes: opts.minutes,
      mp3Mb: statSync(file).size / 2 ** 20,
      uploadStatus: upload.value.status,
      outcome,
      processingSeconds,
      serverIdleMb: serverIdleMb,
      serverUploadPeakMb: upload.peak,
      serverProcessingPeakMb: processingMb,
      workerIdleMb: workerIdleMb,
      workerPeakMb: Math.max(...workers.map((w) => statusMb(w.pid ?? 0, "VmHWM"))),
      brokerIdleMb: brokerIdle.usedMb,
      brokerPeakMb: brokerPeak,
      brokerAlarmMb: brokerIdle.limitMb,
      brokerAlarmRaised: alarm,
    };
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
    rmSync(work, { recursive: true, force: true });
  }
}
