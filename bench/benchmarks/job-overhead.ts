import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSong } from "../../src/audio/demo-song.js";
import { passthroughEngine } from "../../src/audio/engines/passthrough.js";
import { decodeToPcm } from "../../src/audio/ffmpeg.js";
import { CHANNELS, SAMPLE_RATE } from "../../src/audio/pcm.js";
import { separateChunk } from "../../src/audio/separate-chunk.js";
import { chunkCount, chunkInput, planChunks } from "../../src/audio/split.js";
import { freePort } from "../../src/broker/free-port.js";
import { EmbeddedCluster } from "../../src/cluster/embedded-cluster.js";
import { karaokeThroughCluster } from "../../src/cluster/karaoke-run.js";
import type { Settings } from "../../src/config/settings.js";
import { createLogger } from "../../src/log/logger.js";
import { encodeJob } from "../../src/messages/job-message.js";
import { encodeResult } from "../../src/messages/result-message.js";
import { type RawMessage, rawStompLoop } from "../raw-stomp-loop.js";
import { median } from "../scenario-runs.js";
import { type Benchmark, type Figure, figure } from "../suite/benchmark.js";

const SONG_SECONDS = 240;
const CHUNK_SECONDS = 1;
const WORKER_COUNTS = [1, 4];
/** Finer than the demo's 250 ms: the wait for the next poll would otherwise be a visible part of the time. */
const POLL_MS = 50;
/**
 * The raw loop moves a song's jobs in about a second: it goes round with the same messages (fresh queues each
 * time) until this long, before the cluster and again after it.
 */
const RAW_MS = 5000;

/**
 * Chunks per second through the whole cluster (server and W worker processes, passthrough engine, 1 s chunks)
 * from the choice of tracks, which publishes the jobs, until the server reports the song done (its final mix
 * made, as the demo times it), against W plain stompit consumers (prefetch 1) moving the same jobs, each
 * answered with a reply of a passthrough result's size, on the same broker, run before and after the cluster
 * (the mean of the two rates is the baseline). A line per worker count says where the cluster's time went.
 */
export const jobOverhead: Benchmark = {
  name: "job-overhead",
  description: `1 s chunks of a ${SONG_SECONDS} s song through the cluster (passthrough engine) per second, against raw stompit consumers (prefetch 1) on the same broker, with ${WORKER_COUNTS.join(" and ")} workers`,
  async run() {
    const work = mkdtempSync(join(tmpdir(), "encore-bench-overhead-"));
    try {
      const song = makeSong(join(work, "song.mp3"), SONG_SECONDS);
      const pcm = await decodeToPcm(song);
      const figures: Figure[] = [];
      for (const workers of WORKER_COUNTS)
        figures.push(await measure(workers, song, pcm, join(work, `cluster-${workers}`)));
      return figures;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

async function measure(workers: number, song: string, pcm: Int16Array, dataDir: string): Promise<Figure> {
  const lines = new LineLog();
  const cluster = await EmbeddedCluster.start(
    [
      ...["--count", String(workers), "--unhealthy", "0", "--engine", passthroughEngine.name],
      ...["--split-mode", "seconds", "--chunk-seconds", String(CHUNK_SECONDS)],
      ...["--port", String(await freePort()), "--data-dir", dataDir],
    ],
    createLogger(lines.record),
    lines.record,
  );
  try {
    // Started with the server, not waited for by it: a job published before they are all up would time their
    // start too.
    await lines.waitFor(/Worker\[\w+\] connected/, workers, 60_000);
    const { jobs, reply } = rawJobs(pcm, cluster.settings);
    const loop = (durable: boolean) =>
      rawStompLoop({
        host: cluster.broker.host,
        port: cluster.broker.stompPort,
        login: cluster.broker.user,
        passcode: cluster.broker.password,
        consumers: workers,
        messages: jobs,
        reply,
        durable,
      });
    const raw = async (durable: boolean, atLeastMs: number) => {
      let ms = 0;
      let rounds = 0;
      for (; rounds === 0 || ms < atLeastMs; rounds++) ms += await loop(durable);
      return (rounds * jobs.length) / (ms / 1000);
    };
    // Uncounted: the first round also pays for compiling this process's STOMP path, and was the slowest.
    await loop(false);
    const before = await raw(false, RAW_MS);
    const run = await karaokeThroughCluster(cluster.url, song, POLL_MS);
    const after = await raw(false, RAW_MS);
    // Not the baseline: what the cluster's guarantees on the broker alone cost, for where the time goes.
    const durable = await raw(true, 0);
    const chunks = lines.chunksSent(run.musicId);
    if (chunks !== jobs.length)
      throw new Error(`the cluster split the song into ${chunks} chunks, the baseline into ${jobs.length}`);
    const clusterRate = chunks / (run.ms / 1000);
    const rawRate = (before + after) / 2;
    const plural = workers > 1 ? "s" : "";
    process.stdout.write(
      `  ${workers} worker${plural}: ${lines.breakdown(run.musicId, run.startedAt, run.ms)}; raw loop ${before.toFixed(0)} ` +
        `and ${after.toFixed(0)} chunks/s, ${durable.toFixed(0)} with the cluster's guarantees (quorum queue, persistent, receipted)\n`,
    );
    return figure(
      `${workers} worker${plural}: 1 s chunks through the cluster`,
      "chunks/s",
      clusterRate,
      { label: `${workers} raw stompit consumer${plural}, prefetch 1`, value: rawRate },
      "higher",
      { text: "≥ 50 % of a raw stompit consumer with prefetch 1", reached: (_, ratio) => ratio >= 0.5 },
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n${lines.tail(30)}\nthe broker's last warnings and errors:\n${brokerTrouble(cluster.broker.logFile)}`,
    );
  } finally {
    await cluster.stop();
  }
}

/** Its log is removed with the data: a failure is explained before that. */
function brokerTrouble(logFile: string): string {
  try {
    return readFileSync(logFile, "utf8")
      .split("\n")
      .filter((line) => /\[(error|warning)\]/.test(line))
      .slice(-30)
      .join("\n");
  } catch (error) {
    return `(unreadable: ${(error as Error).message})`;
  }
}

/**
 * The jobs the server makes of this song under these settings, headers and bodies as it sends them, and a reply
 * the size of the passthrough engine's result for the first of them.
 */
function rawJobs(pcm: Int16Array, settings: Settings): { jobs: RawMessage[]; reply: RawMessage } {
  const frames = pcm.length / CHANNELS;
  const count = chunkCount(frames, SAMPLE_RATE, {
    mode: settings.splitMode,
    perWorker: settings.splitChunks,
    chunkSeconds: settings.chunkSeconds,
    maxChunkSeconds: settings.maxChunkSeconds,
  });
  const plans = planChunks(frames, count, passthroughEngine.radius);
  const jobs = plans.map((plan) =>
    encodeJob({
      jobId: plan.index + 1,
      musicId: 1,
      chunkIndex: plan.index,
      chunkCount: plan.count,
      start: plan.start,
      end: plan.end,
      contextStart: plan.contextStart,
      contextEnd: plan.contextEnd,
      epoch: 1,
      attempt: 1,
      engine: passthroughEngine.name,
      publishedAt: Date.now(),
      samples: chunkInput(pcm, plan),
    }),
  );
  const first = plans[0];
  const reply = encodeResult({
    kind: "done",
    jobId: 1,
    musicId: 1,
    chunkIndex: 0,
    workerId: "raw",
    redelivered: false,
    deliveryCount: 0,
    frames: first.end - first.start,
    startedAt: Date.now(),
    finishedAt: Date.now(),
    syntheticMs: 0,
    stems: separateChunk(passthroughEngine, chunkInput(pcm, first), first),
    jobDigest: jobs[0].headers["job-digest"],
  });
  return { jobs, reply };
}

/** The cluster's lines with the time each arrived, for waiting on them and for where a run's time went. */
class LineLog {
  private readonly lines: { at: number; text: string }[] = [];
  private readonly waiters: (() => void)[] = [];

  readonly record = (text: string) => {
    this.lines.push({ at: Date.now(), text });
    for (const wake of this.waiters.splice(0)) wake();
  };

  async waitFor(pattern: RegExp, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.filter((l) => pattern.test(l.text)).length < count) {
      if (Date.now() > deadline)
        throw new Error(`${count} lines like ${pattern} not seen within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  chunksSent(musicId: number): number {
    const pattern = new RegExp(`Music\\[${musicId}\\]: Sending (\\d+) jobs`);
    const match = this.lines.map((l) => pattern.exec(l.text)).find((m) => m !== null);
    if (!match) throw new Error(`the server never said how many jobs it sent for Music[${musicId}]`);
    return Number(match[1]);
  }

  /**
   * Where the song's time went, from the lines' arrival: when the jobs went out, the span and pace of the
   * server's accepted results, the merge and mix after the last, and the medians of a worker's job.
   */
  breakdown(musicId: number, startedAt: number, ms: number): string {
    const during = this.lines.filter((l) => l.at >= startedAt && l.at <= startedAt + ms + 1000);
    const at = (pattern: RegExp) => during.filter((l) => pattern.test(l.text)).map((l) => l.at - startedAt);
    const s = (v: number | undefined) => (v === undefined ? "?" : `${(v / 1000).toFixed(2)} s`);
    const sent = at(new RegExp(`Music\\[${musicId}\\]: Sending \\d+ jobs`))[0];
    const accepted = at(/Server: JobDoneMsg\[\d+\] - ACK/);
    const merging = at(/Server: Merging chunks/)[0];
    const mergeLine = new RegExp(`Music\\[${musicId}\\] - merge time: ([\\d.]+)\\[s\\]`);
    const merged = during.map((l) => mergeLine.exec(l.text)).find((m) => m !== null);
    const gaps = accepted.slice(1).map((t, i) => t - accepted[i]);
    const perWorker = new Map<string, { started?: number; published?: number; acked?: number }[]>();
    const steps = { work: [] as number[], ack: [] as number[], next: [] as number[] };
    for (const l of during) {
      const m = /(Worker\[\w+\]):? (started Job|Job\[\d+\] - JobDoneMsg - (job time|ACK))/.exec(l.text);
      if (!m) continue;
      const jobs = perWorker.get(m[1]) ?? [];
      perWorker.set(m[1], jobs);
      if (m[2].startsWith("started")) {
        const last = jobs.at(-1);
        if (last?.acked !== undefined) steps.next.push(l.at - last.acked);
        jobs.push({ started: l.at });
      } else {
        const job = jobs.at(-1);
        if (!job?.started) continue;
        if (m[3] === "job time") {
          job.published = l.at;
          steps.work.push(l.at - job.started);
        } else if (job.published !== undefined) {
          job.acked = l.at;
          steps.ack.push(l.at - job.published);
        }
      }
    }
    const perSecond = (n: number, untilMs: number | undefined) =>
      untilMs ? (n / (untilMs / 1000)).toFixed(1) : "?";
    const med = (v: number[]) => (v.length > 0 ? `${median(v).toFixed(0)} ms` : "?");
    return (
      `song done ${s(ms)} after the choice: jobs sent at ${s(sent)}, ${accepted.length} results accepted from ` +
      `${s(accepted[0])} to ${s(accepted.at(-1))} (median gap ${med(gaps)}; ${perSecond(accepted.length, accepted.at(-1))} ` +
      `chunks/s until the last), merge and mix from ${s(merging)} (the merge ${merged ? `${merged[1]} s` : "?"}, ` +
      "then the MP3); " +
      `a worker's job (medians): ${med(steps.work)} to separate and publish, ${med(steps.ack)} to ACK, ` +
      `${med(steps.next)} until its next`
    );
  }

  tail(count: number): string {
    return this.lines
      .slice(-count)
      .map((l) => l.text)
      .join("\n");
  }
}
