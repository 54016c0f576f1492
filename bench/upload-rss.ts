import { parseArgs } from "node:util";
import { LocalBroker } from "../src/broker/local-broker.js";
import { longSongMemory } from "./long-song-run.js";

/**
 * Memory for long songs, one length after another, each on a fresh server and workers on one private broker:
 * the server's peak RSS while uploading and while processing, the largest worker's VmHWM, the broker's memory
 * against its alarm.
 *
 *   npm run bench:upload-rss -- --minutes 10,60 [--workers 4] [--max-song-seconds 3700]
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
const workers = Number(values.workers);
if (!Number.isInteger(workers) || workers < 1)
  throw new Error(`--workers must be a whole number from 1, got ${values.workers}`);
const maxSongSeconds =
  values["max-song-seconds"] === undefined ? undefined : Number(values["max-song-seconds"]);
if (maxSongSeconds !== undefined && !(maxSongSeconds > 0))
  throw new Error(`--max-song-seconds must be a positive number, got ${values["max-song-seconds"]}`);

const mb = (v: number) => `${v.toFixed(0)} MB`;
const broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
try {
  for (const minutes of lengths) {
    const m = await longSongMemory(broker, { minutes, workers, maxSongSeconds });
    console.log(
      `${minutes} min (${m.mp3Mb.toFixed(1)} MB MP3): server idle ${mb(m.serverIdleMb)}; upload → ${m.uploadStatus} ` +
        `peak ${mb(m.serverUploadPeakMb)}; processing → ${m.outcome} in ${m.processingSeconds.toFixed(1)} s, ` +
        `peak ${mb(m.serverProcessingPeakMb)}; largest worker VmHWM ${mb(m.workerPeakMb)} (idle ${mb(m.workerIdleMb)}); ` +
        `broker ${mb(m.brokerPeakMb)} of its ${mb(m.brokerAlarmMb)} alarm${m.brokerAlarmRaised ? " (ALARM RAISED)" : ""}`,
    );
  }
} finally {
  await broker.stop();
}
