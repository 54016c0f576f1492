import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getEngine } from "../src/audio/engines/index.js";
import { knownStemsSong } from "../src/audio/known-stems-song.js";
import { asBuffer, CHANNELS, int16View, SAMPLE_RATE } from "../src/audio/pcm.js";
import { CpuThread } from "../src/process/cpu-thread.js";
import { statusMb } from "./proc-status.js";

/**
 * A worker's peak memory for one chunk: a child process reads the chunk's job body (a generated song's 60 s
 * with its context), separates it on the CPU thread and encodes the result body the way a worker does, then
 * prints its VmHWM; one child per engine, so one engine's peak does not hide the other's.
 *
 *   npm run bench:chunk-rss -- [--seconds 60] [--engines dsp,stft]
 *
 * (npx tsx bench/worker-chunk-rss.ts runs it from source; tsx adds about 28 MB to every figure.)
 */
const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    engines: { type: "string", default: "dsp,stft" },
    child: { type: "string" },
    input: { type: "string" },
  },
});

if (values.child) {
  const engine = getEngine(values.child);
  const [start, end, contextStart, contextEnd] = (values.input ?? "").split(",").slice(1).map(Number);
  const idle = statusMb("self", "VmHWM");
  // As a job arrives: the body is a Buffer of its own, the samples a view on it.
  const body = readFileSync((values.input ?? "").split(",")[0]);
  const samples = int16View(body);
  const cpu = new CpuThread();
  const started = performance.now();
  const result = await cpu.separate(engine.name, samples, { start, end, contextStart, contextEnd });
  const seconds = (performance.now() - started) / 1000;
  await cpu.close();
  console.log(
    JSON.stringify({
      idleMb: idle,
      peakMb: statusMb("self", "VmHWM"),
      bodyMb: result.length / 2 ** 20,
      seconds,
    }),
  );
} else {
  const seconds = Number(values.seconds);
  const dir = mkdtempSync(join(tmpdir(), "chunk-rss-"));
  try {
    for (const name of (values.engines ?? "").split(",")) {
      const engine = getEngine(name);
      // A chunk in the middle of a song: context on both sides, as every chunk but the first and last has.
      const start = engine.radius + 12_345;
      const end = start + Math.round(seconds * SAMPLE_RATE);
      const [contextStart, contextEnd] = [start - engine.radius, end + engine.radius];
      const song = knownStemsSong({
        name: "rss",
        seed: 5,
        seconds: (contextEnd + 1) / SAMPLE_RATE,
        bpm: 110,
        voiceRootHz: 220,
        bassRootHz: 55,
      }).mix;
      const file = join(dir, `${name}.pcm`);
      writeFileSync(file, asBuffer(song.subarray(contextStart * CHANNELS, contextEnd * CHANNELS)));
      const out = execFileSync(
        process.execPath,
        [
          ...process.execArgv,
          fileURLToPath(import.meta.url),
          "--child",
          name,
          "--input",
          [file, start, end, contextStart, contextEnd].join(","),
        ],
        { encoding: "utf8" },
      );
      const [idleMb, peakMb, bodyMb, took] = ["idleMb", "peakMb", "bodyMb", "seconds"].map((key) => {
        const value: unknown = JSON.parse(out.trim().split("\n").at(-1) ?? "{}")[key];
        if (typeof value !== "number") throw new Error(`the child printed no ${key}: ${out}`);
        return value;
      });
      console.log(
        `${name}: ${seconds} s chunk: VmHWM ${peakMb.toFixed(0)} MB (${idleMb.toFixed(0)} MB before the job), ` +
          `result body ${bodyMb.toFixed(1)} MB, ${took.toFixed(1)} s`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
