import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSong } from "../../src/audio/demo-song.js";
import { ENGINES } from "../../src/audio/engines/index.js";
import { decodeToPcm } from "../../src/audio/ffmpeg.js";
import { CHANNELS } from "../../src/audio/pcm.js";
import { separateWhole } from "../../src/audio/separate-chunk.js";
import { decodeStems, encodeStems, MAX_STEM_BYTES_PER_FRAME } from "../../src/audio/stem-codec.js";
import { type Benchmark, type Figure, figure } from "../suite/benchmark.js";

const CHUNK_SECONDS = 45;

/** A 45-second chunk's result in today's layout against four 32-bit stereo stems (every result before). */
export const resultBytes: Benchmark = {
  name: "result-bytes",
  description: `bytes of one ${CHUNK_SECONDS} s chunk's result, per engine, against four 32-bit stereo stems`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), "encore-bench-bytes-"));
    try {
      const pcm = await decodeToPcm(makeSong(join(dir, "chunk.mp3"), CHUNK_SECONDS));
      const frames = pcm.length / CHANNELS;
      const figures: Figure[] = [];
      for (const engine of Object.values(ENGINES)) {
        const stems = separateWhole(engine, pcm);
        const body = encodeStems(stems);
        const decoded = decodeStems(body, frames);
        const lossless = Object.keys(stems).every((name) =>
          Buffer.from(decoded[name as keyof typeof stems].buffer).equals(
            Buffer.from(stems[name as keyof typeof stems].buffer),
          ),
        );
        if (!lossless) throw new Error(`the ${engine.name} engine's result does not decode to its stems`);
        figures.push(
          figure(
            `${engine.name}: result of a ${CHUNK_SECONDS} s chunk`,
            "MB",
            body.length / 2 ** 20,
            { label: "four 32-bit stereo stems", value: (frames * MAX_STEM_BYTES_PER_FRAME) / 2 ** 20 },
            "lower",
            { text: "at least 2× fewer bytes, lossless", reached: (_, ratio) => ratio >= 2 },
          ),
        );
      }
      return figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
