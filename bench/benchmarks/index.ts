import type { Benchmark } from "../suite/benchmark.js";
import { jobOverhead } from "./job-overhead.js";
import { longSong } from "./long-song.js";
import { parallelSpeedup } from "./parallel-speedup.js";
import { resultBytes } from "./result-bytes.js";
import { separationQualityBenchmark } from "./separation-quality.js";
import { turnaround } from "./turnaround.js";
import { workerStart } from "./worker-start.js";

/** Every benchmark `npm run bench` runs, in this order. Adding one is adding its file and its line here. */
export const BENCHMARKS: readonly Benchmark[] = [
  workerStart,
  turnaround,
  resultBytes,
  parallelSpeedup,
  jobOverhead,
  longSong,
  separationQualityBenchmark,
];
