import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maxDifference } from "../audio/compare-wav.js";
import { makeSong } from "../audio/demo-song.js";
import { EmbeddedCluster } from "../cluster/embedded-cluster.js";
import { karaokeThroughCluster } from "../cluster/karaoke-run.js";
import { SettingError } from "../config/settings.js";
import { createLogger, seconds } from "../log/logger.js";
import { spawnEntry } from "../process/spawn-entry.js";
import { runMain } from "./run-main.js";

/**
 * `npm run demo`: the whole cluster on a private broker processes one generated song into a karaoke track,
 * checks it against the single-process reference, prints the timings, and stops everything.
 *   npm run demo -- [--song-seconds 60] [any setting flag, e.g. --count 4]
 */
runMain(async () => {
  const log = createLogger();
  const { songSeconds, rest } = demoFlags(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), "encore-demo-"));
  const cluster = await EmbeddedCluster.start(rest, log, (line) => process.stdout.write(`${line}\n`));
  const stop = async () => {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const song = makeSong(join(work, "demo.mp3"), songSeconds, {
      title: "Encore Demo",
      artist: "The Sine Waves",
    });
    const run = await karaokeThroughCluster(cluster.url, song);
    const clusterMs = run.ms;
    const final = Buffer.from(await (await fetch(`${cluster.url}${run.final}`)).arrayBuffer());

    const referenceStarted = Date.now();
    const out = join(work, "reference");
    const tracks = run.tracks.join(",");
    const reference = await spawnEntry(
      "separate",
      ["--input", song, "--out", out, "--tracks", tracks, "--engine", cluster.settings.engine],
      process.env as Record<string, string>,
    );
    if (reference.exitCode !== 0) throw new Error("the single-process reference failed");
    const referenceMs = Date.now() - referenceStarted;
    const diff = maxDifference(final, readFileSync(join(out, "final.wav")));
    log.info(
      `Demo: ${songSeconds}[s] song through ${cluster.settings.workersHealthy + cluster.settings.workersUnhealthy} workers in ` +
        `${seconds(clusterMs)}; single-process reference ${seconds(referenceMs)} (ratio ${(clusterMs / referenceMs).toFixed(2)})`,
    );
    log.info(`Demo: karaoke track equals the reference within ${diff} LSB, same length (${tracks})`);
    log.info(
      `Demo: download it at ${cluster.url}${run.finalMp3} while the cluster runs (npm start), or from ${cluster.settings.dataDir}/music/${run.musicId}/out/`,
    );
    if (diff > 1) throw new Error(`the distributed result differs from the reference by ${diff} LSB`);
  } catch (error) {
    await stop();
    throw error;
  }
  await stop();
  process.exit(0);
});

function demoFlags(argv: string[]): { songSeconds: number; rest: string[] } {
  const rest = [...argv];
  const at = rest.findIndex((a) => a === "--song-seconds" || a.startsWith("--song-seconds="));
  if (at < 0) return { songSeconds: 30, rest };
  const raw = rest[at].includes("=") ? rest[at].split("=")[1] : rest[at + 1];
  rest.splice(at, rest[at].includes("=") ? 1 : 2);
  const songSeconds = Number(raw);
  if (!(songSeconds > 0 && songSeconds <= 3600)) {
    throw new SettingError(
      `bad setting --song-seconds="${raw}": expected a number of seconds from 1 to 3600`,
    );
  }
  return { songSeconds, rest };
}
