import { readFileSync, rmSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeSong } from "../src/audio/demo-song.js";
import { freePort } from "../src/broker/free-port.js";
import { LocalBroker } from "../src/broker/local-broker.js";
import { loadSettings, settingsEnv } from "../src/config/settings.js";
import { type Child, spawnEntry, stopChild } from "../src/process/spawn-entry.js";
import { waitForHealth } from "../src/process/wait-for-health.js";

/**
 * The server's memory for long uploads: for each length, a fresh server and workers on a private broker, an MP3
 * of that length uploaded, then processed (when the upload is accepted). Prints the server's peak RSS in each
 * phase, sampled from /proc every 50 ms, and the kernel's high-water mark (VmHWM).
 *
 *   npm run bench:upload-rss -- --minutes 10,60 [--workers 4] [--max-song-seconds 900]
 */
const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10,60" },
    workers: { type: "string", default: "4" },
    "max-song-seconds": { type: "string" },
  },
});
const lengths = (values.minutes ?? "").split(",").map(Number);
if (lengths.some((m) => !Number.isFinite(m) || m <= 0))
  throw new Error(`--minutes must be positive numbers, got ${values.minutes}`);
const workerCount = Number(values.workers);
if (!Number.isInteger(workerCount) || workerCount < 1)
  throw new Error(`--workers must be a whole number from 1, got ${values.workers}`);

const kb = (field: string, pid: number) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
const mb = (kB: number) => `${(kB / 1024).toFixed(0)} MB`;

/** Runs `work` while sampling the process's RSS; resolves with the work's value and the highest sample. */
async function sampled<T>(pid: number, work: Promise<T>): Promise<{ value: T; peakKb: number }> {
  let peakKb = kb("VmRSS", pid);
  const timer = setInterval(() => {
    peakKb = Math.max(peakKb, kb("VmRSS", pid));
  }, 50);
  try {
    return { value: await work, peakKb };
  } finally {
    clearInterval(timer);
  }
}

async function waitSong(url: string, id: number): Promise<string> {
  for (;;) {
    const song = (await (await fetch(`${url}/music/${id}`)).json()) as { status: string; error?: string };
    if (song.status === "done") return "done";
    if (song.status === "failed") return `failed: ${song.error}`;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const work = await mkdtemp(join(tmpdir(), "encore-upload-rss-"));
const broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
const children: Child[] = [];
try {
  for (const minutes of lengths) {
    const file = join(work, `song-${minutes}min.mp3`);
    process.stdout.write(`making a ${minutes}-minute MP3... `);
    makeSong(file, minutes * 60);
    process.stdout.write(`${(statSync(file).size / 2 ** 20).toFixed(1)} MB\n`);
    const port = await freePort();
    const settings = loadSettings([], process.env, {
      brokerHost: broker.host,
      brokerStompPort: String(broker.stompPort),
      serverPort: String(port),
      dataDir: join(work, `data-${minutes}`),
      queuePrefix: `rss${minutes}`,
      splitMode: "seconds",
      ...(values["max-song-seconds"] ? { maxSongSeconds: values["max-song-seconds"] } : {}),
    });
    const env = { ...process.env, ...settingsEnv(settings) } as Record<string, string>;
    const server = spawnEntry("server", [], env);
    children.push(server);
    for (let i = 0; i < workerCount; i++) children.push(spawnEntry("worker", [], env));
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, () => server.exitCode !== null, "the server's output");
    const pid = server.pid ?? 0;
    const idleKb = kb("VmRSS", pid);
    const upload = await sampled(
      pid,
      fetch(`${url}/music`, {
        method: "POST",
        headers: { "content-type": "audio/mpeg" },
        body: readFileSync(file),
      }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as { music_id?: number; error?: string },
      })),
    );
    let processing = "not processed";
    let processKb = 0;
    const id = upload.value.body.music_id;
    if (upload.value.status === 200 && id !== undefined) {
      const run = await sampled(
        pid,
        fetch(`${url}/music/${id}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify([1, 2, 4]),
        }).then(() => waitSong(url, id)),
      );
      processing = run.value;
      processKb = run.peakKb;
    }
    const workerHwmKb = Math.max(...children.slice(1).map((c) => kb("VmHWM", c.pid ?? 0)));
    console.log(
      `${minutes} min: idle ${mb(idleKb)}; upload → ${upload.value.status} ${upload.value.body.error ?? ""} peak ${mb(upload.peakKb)}; ` +
        `processing → ${processing}${processKb ? ` peak ${mb(processKb)}` : ""}; VmHWM ${mb(kb("VmHWM", pid))}; ` +
        `largest worker VmHWM ${mb(workerHwmKb)}`,
    );
    await Promise.all(children.splice(0).map((c) => stopChild(c)));
  }
} finally {
  await Promise.all(children.map((c) => stopChild(c)));
  await broker.stop();
  rmSync(work, { recursive: true, force: true });
}
