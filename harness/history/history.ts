import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedEvent } from "../../src/events/event-log.js";

/** Every process's events, merged in CLOCK_MONOTONIC order. Lines cut short by a SIGKILL are skipped. */
export function loadHistory(eventsDir: string): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  for (const file of readdirSync(eventsDir).filter((f) => f.endsWith(".jsonl"))) {
    for (const line of readFileSync(join(eventsDir, file), "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line) as RecordedEvent);
      } catch {
        // A process killed mid-write leaves half a line; everything before it stands.
      }
    }
  }
  return events.sort((a, b) => a.mono - b.mono);
}
