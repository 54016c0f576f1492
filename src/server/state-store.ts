import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StemName } from "../audio/pcm.js";

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

const EMPTY: State = {
  version: 1,
  epoch: 1,
  next_music_id: 1,
  next_track_id: 1,
  next_job_id: 1,
  music: {},
  jobs: {},
};

/**
 * The server's whole state as one JSON document, replaced atomically (write, then rename) after every change,
 * so a restarted server knows every song, job and accepted result. Audio lives in files beside it.
 */
export class StateStore {
  readonly state: State;
  private saving: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, "state.json");
    this.state = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, "utf8")) as State)
      : structuredClone(EMPTY);
    if (this.state.version !== 1)
      throw new Error(`${this.file}: unknown state version ${this.state.version}`);
  }

  musicDir(musicId: number): string {
    return join(this.dataDir, "music", String(musicId));
  }

  /** Saves are serialized; each writes the state as it is when it runs, so the last one wins. */
  save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, JSON.stringify(this.state));
      await rename(tmp, this.file);
    });
    return this.saving;
  }

  jobsOf(music: MusicRecord): JobRecord[] {
    return music.job_ids
      .map((id) => this.state.jobs[id])
      .filter((job): job is JobRecord => job !== undefined);
  }
}
