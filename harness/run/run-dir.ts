import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** What a run writes into its folder: a reused --out folder must not mix this run's history with an earlier one's. */
const OWNED = [
  "events",
  "traces",
  "reference",
  "output",
  "songs",
  "song.mp3",
  "wire.jsonl",
  "history.jsonl",
  "run.json",
  "timeline.log",
  "traces.json",
  "junit.xml",
  "report.json",
  "report.md",
  "report.html",
];

export function prepareRunDir(dir: string): void {
  for (const owned of OWNED) rmSync(join(dir, owned), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** A UTC stamp for folder names: 20261126T010203Z. */
export const stamp = (date = new Date()) =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
