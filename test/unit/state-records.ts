import type { JobRecord, MusicRecord } from "../../src/server/state-store.js";

/** The digest the server recorded for the jobs below (what a genuine worker echoes). */
export const DIGEST = "5e".repeat(32);

/** A song record as the server keeps it; tests change what they need. */
export const songRecord = (overrides: Partial<MusicRecord> = {}): MusicRecord => ({
  music_id: 1,
  name: "a",
  band: "b",
  frames: 88200,
  tracks: [],
  status: "separating",
  selected: [],
  job_ids: [1],
  ...overrides,
});

/** Job `id` of song 1 (one second per chunk); `accepted` gives it an accepted result. */
export const jobRecord = (id: number, accepted = false, overrides: Partial<JobRecord> = {}): JobRecord => ({
  job_id: id,
  music_id: 1,
  chunk_index: id - 1,
  chunk_count: 2,
  start: (id - 1) * 44100,
  end: id * 44100,
  context_start: 0,
  context_end: id * 44100,
  size: 0,
  epoch: 1,
  attempt: 1,
  published: true,
  digest: DIGEST,
  duplicates: 0,
  ...(accepted
    ? { accepted: { worker_id: "w", time: 1, received_at: 0, redelivered: false, delivery_count: 0 } }
    : {}),
  ...overrides,
});
