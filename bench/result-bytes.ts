import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeSong } from "../src/audio/demo-song.js";
import { ENGINES } from "../src/audio/engines/index.js";
import { decodeToPcm } from "../src/audio/ffmpeg.js";
import { CHANNELS, SAMPLE_RATE } from "../src/audio/pcm.js";
import { separateWhole } from "../src/audio/separate-chunk.js";
import { decodeStems, encodeStems, MAX_STEM_BYTES_PER_FRAME } from "../src/audio/stem-codec.js";

/**
 * Bytes a result carries for one chunk of the demo song, in today's layout against the headerless 32-bit
 * stereo stems every result carried before (32 bytes a frame), with the time to encode and decode it.
 *
 *   npm run bench:result-bytes -- [--seconds 45]
 */
const { values } = parseArgs({ options: { seconds: { type: "string", default: "45" } } });
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0)
  throw new Error(`--seconds must be a positive number, got ${values.seconds}`);

const dir = mkdtempSync(join(tmpdir(), "encore-result-bytes-"));
try {
  const pcm = await decodeToPcm(makeSong(join(dir, "chunk.mp3"), seconds));
  const frames = pcm.length / CHANNELS;
  for (const engine of Object.values(ENGINES)) {
    const stems = separateWhole(engine, pcm);
    let started = performance.now();
    const body = encodeStems(stems);
    const encodeMs = performance.now() - started;
    started = performance.now();
    decodeStems(body, frames);
    const decodeMs = performance.now() - started;
    const before = frames * MAX_STEM_BYTES_PER_FRAME;
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    process.stdout.write(
      `${engine.name}: a ${(frames / SAMPLE_RATE).toFixed(0)} s chunk's result ${mb(body.length)} (was ${mb(before)}: ` +
        `${(before / body.length).toFixed(2)}× smaller), encoded in ${encodeMs.toFixed(0)} ms, decoded in ${decodeMs.toFixed(0)} ms\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
