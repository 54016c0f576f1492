import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { StemName } from "../audio/pcm.js";
import { ExplainedError } from "../log/explained-error.js";
import { readJobRecord, readMusicRecord } from "./ledger-records.js";

export interface TrackRecord {
  track_id: number;
  name: StemName;
}

export type MusicStatus = "uploaded" | "separating" | "merging" | "done" | "failed";

export interface MusicRecord {
  music_id: number;
  name: string;
  band: string;
  frames: number;
  tracks: TrackRecord[];
  status: MusicStatus;
  /** Track ids chosen by the latest POST /music/{id}; the final mix is made of these. */
  selected: number[];
  job_ids: number[];
  /** When processing was asked for (ms since epoch): the start of "total time". */
  requested_at?: number;
  done_at?: number;
  /** Selection the current final mix was made from. */
  mixed?: number[];
  error?: string;
  /** W3C trace context of the song's span: every later span of the song is its child, even after a restart. */
  trace?: Record<string, string>;
}

export interface AcceptedResult {
  worker_id: string;
  /** Worker's processing time in seconds (start of work to result published). */
  time: number;
  received_at: number;
  redelivered: boolean;
  delivery_count: number;
}

export interface JobRecord {
  job_id: number;
  music_id: number;
  chunk_index: number;
  chunk_count: number;
  start: number;
  end: number;
  context_start: number;
  context_end: number;
  /** Bytes of audio the job message carries. */
  size: number;
  epoch: number;
  /** How often the server published it (more than 1 only when a restart found it unreceipted). */
  attempt: number;
  published: boolean;
  /** When its latest copy was sent (ms since epoch): its deadline counts from then at the earliest. */
  published_at?: number;
  /** How often it was published again because it was past its deadline or its result was unusable. */
  retries?: number;
  /** SHA-256 of the job as sent (see job-digest.ts): a result or report for anything else is not taken. */
  digest?: string;
  accepted?: AcceptedResult;
  duplicates: number;
}

export interface State {
  version: 1;
  epoch: number;
  next_music_id: number;
  next_track_id: number;
  next_job_id: number;
  music: Record<string, MusicRecord>;
  jobs: Record<string, JobRecord>;
}

const COUNTERS = ["epoch", "next_music_id", "next_track_id", "next_job_id"] as const;
type Counter = (typeof COUNTERS)[number];

const EMPTY: State = {
  version: 1,
  epoch: 1,
  next_music_id: 1,
  next_track_id: 1,
  next_job_id: 1,
  music: {},
  jobs: {},
};

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS music (music_id INTEGER PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS jobs (job_id INTEGER PRIMARY KEY, music_id INTEGER NOT NULL, record TEXT NOT NULL);
`;

/** The rows a save writes: each is the record as it is now, or null for one that is gone. */
interface Changes {
  meta: Array<[Counter, number]>;
  music: Array<[string, string | null]>;
  jobs: Array<[string, string | null, number]>;
}

/**
 * The server's state: songs, jobs and accepted results, in an SQLite ledger (ledger.db, WAL, synchronous=FULL)
 * beside the audio files. The server works on `state` in memory; save() commits, in one transaction, just the
 * rows that differ from what was last committed, so its disk cost is the change, not every song ever kept. A
 * failed save commits nothing and forgets nothing: the next one writes its rows too.
 */
export class StateStore {
  readonly state: State;
  readonly file: string;
  private failure: string | undefined;
  /** The commit saves asked for in this turn will share. */
  private pending: Promise<number> | undefined;
  private readonly db: Database.Database;
  /** Prepared once: a save runs on every accepted result. */
  private readonly writes: ReturnType<typeof prepareWrites>;
  /** Each row as last committed (records as their JSON text), to tell which rows a save must write. */
  private readonly committed = {
    meta: new Map<Counter, number>(),
    music: new Map<string, string>(),
    jobs: new Map<string, string>(),
  };

  /** The state.json this ledger was made from, on its first start (kept beside it as state.json.migrated). */
  readonly migratedFrom: string | undefined;

  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    // Uploads a crash interrupted: never songs, so never needed again.
    rmSync(this.incomingDir(), { recursive: true, force: true });
    this.file = join(dataDir, "ledger.db");
    this.db = openLedger(this.file);
    try {
      this.writes = prepareWrites(this.db);
      const legacy = join(dataDir, "state.json");
      const imported = this.isEmpty() && existsSync(legacy) ? readLegacyState(legacy) : undefined;
      this.state = imported ?? this.load();
      if (imported) {
        this.commit();
        renameSync(legacy, `${legacy}.migrated`);
        this.migratedFrom = legacy;
      }
    } catch (error) {
      this.db.close();
      const message = (error as Error).message;
      if (error instanceof ExplainedError) throw error;
      throw new ExplainedError(
        message.includes(dataDir) ? message : `${this.file}: cannot be read: ${message}`,
      );
    }
  }

  /** Where uploads wait, until they are checked, to become a song or be removed. */
  incomingDir(): string {
    return join(this.dataDir, "incoming");
  }

  musicDir(musicId: number): string {
    return join(this.dataDir, "music", String(musicId));
  }

  /**
   * Commits every change made to `state` since the last save; resolves with the number of rows written. Saves
   * asked for in the same turn of the event loop share one commit (one fsync): results handled side by side are
   * then durable together, and each caller still resumes only once its change is on disk.
   */
  save(): Promise<number> {
    this.pending ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.pending = undefined;
      return this.saveNow();
    });
    return this.pending;
  }

  private saveNow(): Promise<number> {
    try {
      const rows = this.commit();
      this.failure = undefined;
      return Promise.resolve(rows);
    } catch (error) {
      this.failure = `${this.file}: save failed: ${(error as Error).message}`;
      return Promise.reject(new Error(this.failure));
    }
  }

  /** Why the last save failed, until one succeeds: /health reports it. */
  get failing(): string | undefined {
    return this.failure;
  }

  jobsOf(music: MusicRecord): JobRecord[] {
    return music.job_ids
      .map((id) => this.state.jobs[id])
      .filter((job): job is JobRecord => job !== undefined);
  }

  /** Jobs sent and not done, of songs still separating: the ones the broker should hold or a worker have. */
  sentNotDone(): JobRecord[] {
    const { music, jobs } = this.state;
    return Object.values(jobs).filter(
      (job) => job.published && !job.accepted && music[job.music_id]?.status === "separating",
    );
  }

  close(): void {
    // A save asked for just before is not lost: it commits now, and its turn then finds nothing left to write.
    if (this.pending) this.commit();
    this.db.close();
  }

  private commit(): number {
    const changes = this.changes();
    const rows = changes.meta.length + changes.music.length + changes.jobs.length;
    if (rows === 0) return 0;
    const { setMeta, putMusic, dropMusic, putJob, dropJob } = this.writes;
    this.db.transaction(() => {
      for (const [key, value] of changes.meta) setMeta.run(key, value);
      for (const [id, record] of changes.music)
        if (record === null) dropMusic.run(Number(id));
        else putMusic.run(Number(id), record);
      for (const [id, record, musicId] of changes.jobs)
        if (record === null) dropJob.run(Number(id));
        else putJob.run(Number(id), musicId, record);
    })();
    // Only once committed: a failed transaction leaves these rows different, so the next save retries them.
    for (const [key, value] of changes.meta) this.committed.meta.set(key, value);
    remember(this.committed.music, changes.music);
    remember(this.committed.jobs, changes.jobs);
    return rows;
  }

  private changes(): Changes {
    const meta = COUNTERS.filter((key) => this.committed.meta.get(key) !== this.state[key]).map(
      (key): [Counter, number] => [key, this.state[key]],
    );
    const music = diff(this.committed.music, this.state.music).map(
      ([id, record]): [string, string | null] => [id, record],
    );
    const jobs = diff(this.committed.jobs, this.state.jobs).map(
      ([id, record]): [string, string | null, number] => [id, record, this.state.jobs[id]?.music_id ?? 0],
    );
    return { meta, music, jobs };
  }

  private isEmpty(): boolean {
    const row = this.db
      .prepare(
        "SELECT (SELECT count(*) FROM meta WHERE key <> 'version') + (SELECT count(*) FROM music) AS n",
      )
      .get();
    return (row as { n: number }).n === 0;
  }

  private load(): State {
    const state = structuredClone(EMPTY);
    const where = (table: string, id: number) => `${this.file} ${table} row ${id}`;
    for (const row of this.db.prepare("SELECT key, value FROM meta").all() as Array<{
      key: string;
      value: number;
    }>) {
      if (row.key === "version") {
        if (row.value !== 1)
          throw new Error(`${this.file}: ledger version ${row.value}, this server knows 1`);
        continue;
      }
      const key = COUNTERS.find((k) => k === row.key);
      if (!key || !Number.isSafeInteger(row.value) || row.value < 1)
        throw new Error(`${this.file}: meta row ${row.key} = ${row.value} is not one this server knows`);
      state[key] = row.value;
      this.committed.meta.set(key, row.value);
    }
    const songs = this.db.prepare("SELECT music_id AS id, record FROM music").all() as Row[];
    for (const { id, record } of songs) {
      const music = readMusicRecord(record, where("music", id));
      if (music.music_id !== id) throw new Error(`${where("music", id)}: holds song ${music.music_id}`);
      state.music[id] = music;
      this.committed.music.set(String(id), record);
    }
    for (const { id, record } of this.db.prepare("SELECT job_id AS id, record FROM jobs").all() as Row[]) {
      const job = readJobRecord(record, where("jobs", id));
      if (job.job_id !== id) throw new Error(`${where("jobs", id)}: holds job ${job.job_id}`);
      state.jobs[id] = job;
      this.committed.jobs.set(String(id), record);
    }
    return state;
  }
}

interface Row {
  id: number;
  record: string;
}

/** Rows whose JSON differs from the committed text (null: the row is gone from `now`). */
function diff<T>(committed: Map<string, string>, now: Record<string, T>): Array<[string, string | null]> {
  const changed: Array<[string, string | null]> = [];
  for (const [id, record] of Object.entries(now)) {
    const text = JSON.stringify(record);
    if (committed.get(id) !== text) changed.push([id, text]);
  }
  for (const id of committed.keys()) if (!(id in now)) changed.push([id, null]);
  return changed;
}

function remember(committed: Map<string, string>, rows: Array<[string, string | null, ...unknown[]]>): void {
  for (const [id, record] of rows)
    if (record === null) committed.delete(id);
    else committed.set(id, record);
}

function prepareWrites(db: Database.Database) {
  return {
    setMeta: db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"),
    putMusic: db.prepare("INSERT OR REPLACE INTO music (music_id, record) VALUES (?, ?)"),
    dropMusic: db.prepare("DELETE FROM music WHERE music_id = ?"),
    putJob: db.prepare("INSERT OR REPLACE INTO jobs (job_id, music_id, record) VALUES (?, ?, ?)"),
    dropJob: db.prepare("DELETE FROM jobs WHERE job_id = ?"),
  };
}

function openLedger(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    // FULL: a commit is on disk when it returns, so what the server ACKs after a save survives a power cut.
    db.pragma("synchronous = FULL");
    db.exec(SCHEMA);
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('version', 1)").run();
    return db;
  } catch (error) {
    db?.close();
    throw new ExplainedError(`${file}: cannot be opened as the server's ledger: ${(error as Error).message}`);
  }
}

/** A data directory of the JSON-file era: each record is checked as a stored row is. */
function readLegacyState(file: string): State {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ExplainedError(`${file}: cannot be migrated: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || !("version" in value) || value.version !== 1)
    throw new ExplainedError(`${file}: cannot be migrated: not a version 1 state file`);
  const raw = value as Record<string, unknown>;
  const state = structuredClone(EMPTY);
  for (const key of COUNTERS) {
    const n = raw[key];
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1)
      throw new ExplainedError(`${file}: cannot be migrated: ${key} is ${JSON.stringify(n)}`);
    state[key] = n;
  }
  const rows = (table: string) => {
    const value = raw[table];
    if (typeof value !== "object" || value === null)
      throw new ExplainedError(`${file}: cannot be migrated: no ${table}`);
    return Object.entries(value);
  };
  for (const [id, record] of rows("music"))
    state.music[id] = readMusicRecord(JSON.stringify(record), `${file} music.${id}`);
  for (const [id, record] of rows("jobs"))
    state.jobs[id] = readJobRecord(JSON.stringify(record), `${file} jobs.${id}`);
  return state;
}
