import { LocalBroker } from "../../src/broker/local-broker.js";
import { longSongMemory } from "../long-song-run.js";
import { type Benchmark, figure } from "../suite/benchmark.js";

const MINUTES = 60;
const WORKERS = 12;

/** A 60-minute song through 12 workers: each process's peak against its own idle size, measured in the same run. */
export const longSong: Benchmark = {
  name: "long-song",
  description: `a ${MINUTES}-minute song uploaded and processed by ${WORKERS} workers: peak memory against idle`,
  async run() {
    const broker = await LocalBroker.start({ log: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      const m = await longSongMemory(broker, { minutes: MINUTES, workers: WORKERS });
      if (m.outcome !== "done") throw new Error(`the ${MINUTES}-minute song was not processed: ${m.outcome}`);
      const atMost = (limit: number) => ({
        text: `≤ ${limit} MB`,
        reached: (value: number) => value <= limit,
      });
      return [
        figure(
          "server: peak RSS while uploading",
          "MB",
          m.serverUploadPeakMb,
          { label: "the server idle", value: m.serverIdleMb },
          "lower",
          atMost(300),
        ),
        figure(
          "server: peak RSS while processing",
          "MB",
          m.serverProcessingPeakMb,
          { label: "the server idle", value: m.serverIdleMb },
          "lower",
          atMost(300),
        ),
        figure(
          "largest worker: peak RSS (VmHWM)",
          "MB",
          m.workerPeakMb,
          { label: "a worker idle", value: m.workerIdleMb },
          "lower",
          atMost(150),
        ),
        figure(
          "broker: peak memory while processing",
          "MB",
          m.brokerPeakMb,
          { label: "its memory alarm", value: m.brokerAlarmMb },
          "lower",
          {
            text: "below its memory alarm, never raised",
            reached: (value) => value < m.brokerAlarmMb && !m.brokerAlarmRaised,
          },
        ),
      ];
    } finally {
      await broker.stop();
    }
  },
};
