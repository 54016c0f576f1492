import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { monotonicMs } from "../../src/events/event-log.js";
import type { OperationLog } from "../history/operations.js";
import type { Timeline } from "../run/timeline.js";
import type { Scenario, Stem, WorkloadOp } from "../scenario/scenario.js";
import { asSongState, asUploaded, type SongState, type Uploaded } from "./api-shapes.js";
import { call, HttpRefusal } from "./song-client.js";

/** One song as the harness's client saw it. */
export interface SongRun {
  label: string;
  file: string;
  seconds: number;
  /** The stems of the last mix asked for: the reference is made of these. */
  tracks: Stem[];
  musicId: number | null;
  status: string;
  /** The server's error text, when it reported the song failed. */
  error?: string;
  done: boolean;
  /** From the jobs of its last choice being sent (the POST answered) to done. */
  elapsedMs?: number;
  /** Monotonic ms its last choice was answered; the budget runs from there. */
  sentAt?: number;
  /** Monotonic ms a reset answered after this song was uploaded: the song must be gone from then on. */
  resetAt?: number;
  /** What GET /music/{id} answered once the reset was done. */
  afterReset?: { status: number; songStatus?: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POLL_MS = 100;

/**
 * True for a request worth sending again: one that got no HTTP answer (refused, reset, cut off: fetch's
 * TypeError), or a 503, which says the server could not take it now (a server closing for a stop answers so;
 * soak seed 5048 left a song unchosen when the client gave up on it). Each attempt stays in the history (info
 * when nobody can tell whether the server acted on it); an upload the server took before it died is an orphan
 * song nobody chose tracks for, so it never runs. A server that keeps answering 503 runs out the deadline, and
 * its song is still owed.
 */
const worthRetrying = (error: unknown) =>
  error instanceof TypeError || (error instanceof HttpRefusal && error.status === 503);

/**
 * Jepsen's client and generator: performs the scenario's workload against the server's HTTP API (uploads,
 * choices, remixes, resets) and polls every song until it is done, failed, gone or out of budget. Every call
 * is an operation in the history. Requests that got no answer (the server was down) are tried again.
 */
export class WorkloadRunner {
  readonly songs = new Map<string, SongRun>();
  private readonly pollers = new Map<string, Promise<void>>();
  /** Resets asked for so far, and how many had been when each song's upload was asked for. */
  private resetsAsked = 0;
  private readonly resetsBeforeUpload = new Map<string, number>();

  constructor(
    private readonly url: string,
    private readonly scenario: Scenario,
    private readonly files: ReadonlyMap<string, string>,
    private readonly budgetMs: number,
    private readonly timeline: Timeline,
    private readonly ops: OperationLog,
  ) {}

  /** The label of a music id the server gave one of this run's uploads. */
  labelOf(musicId: number): string | undefined {
    for (const s of this.songs.values()) if (s.musicId === musicId) return s.label;
    return undefined;
  }

  /** Mean progress of the songs still expected to finish, for the status line. */
  progress = 0;

  /** Runs the workload; `onT0` is called once the first song's jobs were sent (fault times count from it). */
  async run(onT0: (t0: number) => void): Promise<void> {
    const [first, ...rest] = this.scenario.workload;
    await this.perform(first);
    const t0 = this.songs.get(first.op === "upload" ? first.song : "")?.sentAt ?? monotonicMs();
    onT0(t0);
    const scale = this.scenario.timeScale * 1000;
    await Promise.all(
      rest.map(async (op) => {
        await sleep(Math.max(0, t0 + op.at * scale - monotonicMs()));
        await this.perform(op);
      }),
    );
    while (this.pollers.size > 0) await Promise.all([...this.pollers.values()]);
  }

  private async perform(op: WorkloadOp): Promise<void> {
    try {
      if (op.op === "upload") await this.upload(op.song, op.seconds, op.tracks);
      else if (op.op === "remix") await this.remix(op.song, op.tracks);
      else await this.reset();
    } catch (error) {
      this.timeline.write("ERROR", `Harness: ${op.op} failed: ${(error as Error).message}`);
    }
  }

  private async upload(label: string, seconds: number, tracks: Stem[]): Promise<void> {
    const file = this.files.get(label) ?? "";
    const song: SongRun = { label, file, seconds, tracks, musicId: null, status: "uploading", done: false };
    this.songs.set(label, song);
    this.resetsBeforeUpload.set(label, this.resetsAsked);
    const music = await this.retrying(() =>
      call(
        this.ops,
        "upload",
        { song: label, file: basename(file) },
        () =>
          fetch(`${this.url}/music`, {
            method: "POST",
            headers: { "content-type": "application/octet-stream" },
            body: readFileSync(file),
          }),
        async (res) => asUploaded(await res.json()),
        (m) => ({ song: label, music: m.music_id }),
      ),
    );
    song.musicId = music.music_id;
    await this.choose(song, music.tracks, "choose");
  }

  private async remix(label: string, tracks: Stem[]): Promise<void> {
    const song = this.songs.get(label);
    if (!song || song.musicId === null) throw new Error(`no song "${label}" to remix`);
    // A remix is of a finished song: wait for it (or for its end, whatever it is).
    while (this.pollers.has(label)) await this.pollers.get(label);
    if (!song.done) throw new Error(`song "${label}" did not finish; nothing to remix`);
    const state = await this.read(song.musicId);
    song.tracks = tracks;
    await this.choose(
      song,
      state.instruments.map((i) => ({ track_id: i.track_id, name: i.name })),
      "remix",
    );
  }

  private async choose(song: SongRun, tracks: Uploaded["tracks"], f: "choose" | "remix"): Promise<void> {
    const musicId = song.musicId ?? 0;
    const ids = tracks.filter((t) => (song.tracks as string[]).includes(t.name)).map((t) => t.track_id);
    await this.retrying(() =>
      call(
        this.ops,
        f,
        { song: song.label, music: musicId, tracks: song.tracks.join(",") },
        () =>
          fetch(`${this.url}/music/${musicId}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(ids),
          }),
        (res) => res.text(),
      ),
    );
    song.sentAt = monotonicMs();
    song.done = false;
    song.elapsedMs = undefined;
    song.status = "separating";
    const poller = this.poll(song).finally(() => this.pollers.delete(song.label));
    this.pollers.set(song.label, poller);
  }

  private async reset(): Promise<void> {
    // Songs whose upload was answered before the reset was asked for; one uploading meanwhile may land on either
    // side of it (its poller finds out: 404 means the reset came after).
    const before = [...this.songs.values()].filter((s) => s.musicId !== null);
    this.resetsAsked++;
    // Unanswered, it may or may not have happened; asked again, it has: the songs before it are gone either way.
    await this.retrying(() =>
      call(
        this.ops,
        "reset",
        {},
        () => fetch(`${this.url}/reset`, { method: "POST" }),
        (res) => res.text(),
      ),
    );
    const at = monotonicMs();
    for (const song of before) song.resetAt = at;
    this.timeline.write("WARNING", `Harness: reset: ${before.length} songs must be gone`);
    for (const song of before) {
      await this.pollers.get(song.label);
      if (song.musicId === null) continue;
      const seen = this.ops.invoke("client", "read-after-reset", { song: song.label, music: song.musicId });
      try {
        const res = await this.retrying(() => fetch(`${this.url}/music/${song.musicId}`));
        const body = res.ok ? asSongState(await res.json()) : undefined;
        song.afterReset = { status: res.status, songStatus: body?.status };
        this.ops.complete(seen, "ok", { status: res.status, songStatus: body?.status ?? null });
      } catch (error) {
        this.ops.complete(seen, "info", { error: (error as Error).message });
      }
    }
  }

  /** Polls until the song is done, failed, removed by a reset, or out of budget; records how it ended. */
  private async poll(song: SongRun): Promise<void> {
    const sentAt = song.sentAt ?? monotonicMs();
    let polls = 0;
    while (monotonicMs() - sentAt < this.budgetMs && song.resetAt === undefined) {
      try {
        const state = await this.read(song.musicId ?? 0);
        polls++;
        song.status = state.status;
        this.progress = state.progress;
        if (state.status === "failed") {
          song.error = state.error ?? "";
          break;
        }
        if (state.progress === 100) {
          song.done = true;
          song.elapsedMs = Math.round(monotonicMs() - sentAt);
          break;
        }
      } catch (error) {
        // Gone, after a reset asked for while its upload was on the way: the reset came after the upload.
        if (
          /: 404$/.test((error as Error).message) &&
          this.resetsAsked > (this.resetsBeforeUpload.get(song.label) ?? 0)
        ) {
          song.resetAt = monotonicMs();
          song.afterReset = { status: 404 };
          break;
        }
        // Otherwise the server may be down (a fault): try again until the budget is spent.
      }
      await sleep(POLL_MS);
    }
    const seen = this.ops.invoke("client", "poll", { song: song.label, music: song.musicId, polls });
    const type = song.done ? "ok" : song.resetAt !== undefined ? "info" : "fail";
    this.ops.complete(seen, type, {
      status: song.status,
      elapsedMs: song.elapsedMs ?? null,
      ...(song.error === undefined ? {} : { error: song.error.slice(0, 300) }),
    });
    if (!song.done && song.resetAt === undefined && song.status !== "failed")
      this.timeline.write(
        "ERROR",
        `Harness: Music[${song.musicId}] (${song.label}) not done within the budget (status ${song.status})`,
      );
  }

  private async read(musicId: number): Promise<SongState> {
    const res = await fetch(`${this.url}/music/${musicId}`);
    if (!res.ok) throw new Error(`GET /music/${musicId}: ${res.status}`);
    return asSongState(await res.json());
  }

  private async retrying<T>(act: () => Promise<T>): Promise<T> {
    const deadline = monotonicMs() + this.budgetMs;
    for (;;) {
      try {
        return await act();
      } catch (error) {
        if (!worthRetrying(error) || monotonicMs() > deadline) throw error;
        await sleep(200);
      }
    }
  }
}
