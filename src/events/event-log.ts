import { appendFileSync } from "node:fs";

/**
 * Structured events, one JSON object per line, for the harness's checkers and reports. Each line is appended
 * synchronously so a SIGKILL loses nothing already recorded. `mono` is CLOCK_MONOTONIC in ms, which Linux
 * shares across processes, so lines of different processes order correctly even if the wall clock steps.
 */
export interface EventFields {
  job?: number;
  music?: number;
  chunk?: number;
  worker?: string;
  connection?: string;
  redelivered?: boolean;
  deliveryCount?: number;
  [key: string]: string | number | boolean | undefined;
}

export type EventType =
  | "connected"
  | "connection-lost"
  | "job-published"
  | "job-delivered"
  | "work-started"
  | "work-finished"
  | "result-published"
  | "ack-sent"
  | "ack-receipted"
  | "ack-failed"
  | "work-failed"
  | "dead-lettered"
  | "job-cancelled"
  | "job-lost"
  | "result-accepted"
  | "duplicate-dropped"
  | "stale-dropped"
  | "merge-started"
  | "merge-finished"
  | "song-done"
  | "song-failed";

export interface EventLog<T extends string = EventType> {
  record(type: T, fields?: EventFields): void;
}

export interface RecordedEvent extends EventFields {
  type: string;
  /** Wall clock, ms since the Unix epoch. */
  wall: number;
  /** CLOCK_MONOTONIC, ms. */
  mono: number;
  pid: number;
  proc: string;
}

export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Writes to `file`, or nowhere when no file is set (EVENTS_FILE unset): recording costs nothing then. */
export function createEventLog<T extends string = EventType>(
  file: string | undefined,
  proc: string,
  fixed: EventFields = {},
): EventLog<T> {
  if (!file) return { record: () => {} };
  return {
    record(type, fields = {}) {
      const event: RecordedEvent = {
        wall: Date.now(),
        mono: monotonicMs(),
        pid: process.pid,
        proc,
        type,
        ...fixed,
        ...fields,
      };
      appendFileSync(file, `${JSON.stringify(event)}\n`);
    },
  };
}
