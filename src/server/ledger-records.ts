import { Ajv, type JSONSchemaType, type ValidateFunction } from "ajv";
import { STEM_NAMES } from "../audio/pcm.js";
import type { AcceptedResult, JobRecord, MusicRecord, TrackRecord } from "./state-store.js";

const nat = { type: "integer", minimum: 0 } as const;
const id = { type: "integer", minimum: 1 } as const;
const ids = { type: "array", items: id } as const;

const track: JSONSchemaType<TrackRecord> = {
  type: "object",
  properties: { track_id: id, name: { type: "string", enum: [...STEM_NAMES] } },
  required: ["track_id", "name"],
  additionalProperties: false,
};

const music: JSONSchemaType<MusicRecord> = {
  type: "object",
  properties: {
    music_id: id,
    name: { type: "string" },
    band: { type: "string" },
    frames: nat,
    tracks: { type: "array", items: track },
    status: { type: "string", enum: ["uploaded", "separating", "merging", "done", "failed"] },
    selected: ids,
    job_ids: ids,
    requested_at: { type: "number", nullable: true },
    done_at: { type: "number", nullable: true },
    mixed: { ...ids, nullable: true },
    error: { type: "string", nullable: true },
    trace: { type: "object", additionalProperties: { type: "string" }, required: [], nullable: true },
  },
  required: ["music_id", "name", "band", "frames", "tracks", "status", "selected", "job_ids"],
  additionalProperties: false,
};

const accepted: JSONSchemaType<AcceptedResult> = {
  type: "object",
  properties: {
    worker_id: { type: "string" },
    time: { type: "number" },
    received_at: { type: "number" },
    redelivered: { type: "boolean" },
    delivery_count: nat,
  },
  required: ["worker_id", "time", "received_at", "redelivered", "delivery_count"],
  additionalProperties: false,
};

const job: JSONSchemaType<JobRecord> = {
  type: "object",
  properties: {
    job_id: id,
    music_id: id,
    chunk_index: nat,
    chunk_count: id,
    start: nat,
    end: nat,
    context_start: nat,
    context_end: nat,
    size: nat,
    epoch: id,
    attempt: nat,
    published: { type: "boolean" },
    published_at: { type: "number", nullable: true },
    retries: { ...nat, nullable: true },
    digest: { type: "string", pattern: "^[0-9a-f]{64}$", nullable: true },
    accepted: { ...accepted, nullable: true },
    duplicates: nat,
  },
  required: [
    "job_id",
    "music_id",
    "chunk_index",
    "chunk_count",
    "start",
    "end",
    "context_start",
    "context_end",
    "size",
    "epoch",
    "attempt",
    "published",
    "duplicates",
  ],
  additionalProperties: false,
};

const ajv = new Ajv({ allErrors: false });
const validMusic = ajv.compile(music);
const validJob = ajv.compile(job);

/** A stored row, read back: what it says if it has the shape of a record, else an error naming what is wrong. */
function reader<T>(valid: ValidateFunction<T>, what: string) {
  return (text: string, where: string): T => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`${where}: ${what} is not JSON (${(error as Error).message})`);
    }
    if (valid(value)) return value;
    const e = valid.errors?.[0];
    throw new Error(
      `${where}: not a ${what}: ${e?.instancePath || "the record"} ${e?.message ?? "is invalid"}`,
    );
  };
}

export const readMusicRecord = reader(validMusic, "song record");
export const readJobRecord = reader(validJob, "job record");
