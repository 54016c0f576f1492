import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** Copies a child's log lines to ours, whole lines only, so lines of many processes never interleave mid-line. */
export function forwardLines(stream: Readable | null | undefined, write: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream }).on("line", write);
}
