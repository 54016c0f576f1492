import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { monotonicMs } from "../../src/events/event-log.js";
import type { ClusterProcesses } from "../environment/cluster-processes.js";
import type { OperationLog, OpValue } from "../history/operations.js";
import type { FaultSchedule } from "../run/fault-schedule.js";
import type { Timeline } from "../run/timeline.js";
import type { Plan } from "../schedule/plan.js";

export interface SongOutcome {
  musicId: number;
  status: string;
  done: boolean;
  elapsedMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The harness's own HTTP client: each call is an operation, ok with what it saw or fail/info with why. */
async function call<T>(
  ops: OperationLog,
  f: string,
  value: OpValue,
  request: () => Promise<Response>,
  read: (res: Response) => Promise<T>,
  summarize: (result: T) => OpValue = () => ({}),
): Promise<T> {
  const invoked = ops.invoke("client", f, value);
  let res: Response;
  try {
    res = await request();
  } catch (error) {
    // No answer: the request may or may not have been acted on.
    ops.complete(invoked, "info", { error: (error as Error).message });
    throw error;
  }
  if (!res.ok) {
    const body = await res.text();
    ops.complete(invoked, "fail", { status: res.status, error: body.slice(0, 200) });
    throw new Error(`${f} failed: ${res.status} ${body}`);
  }
  const result = await read(res);
  ops.complete(invoked, "ok", { status: res.status, ...summarize(result) });
  return result;
}

interface Uploaded {
  music_id: number;
  tracks: { track_id: number; name: string }[];
}

interface SongState {
  status: string;
  progress: number;
  instruments: { name: string; track: string | null }[];
  final: string | null;
  final_mp3: string | null;
}

/** Uploads the song, asks for the karaoke mix, runs the fault schedule, and waits for the song or the budget. */
export async function playSong(
  cluster: ClusterProcesses,
  songFile: string,
  plan: Plan,
  timeline: Timeline,
  faults: FaultSchedule,
  ops: OperationLog,
  onProgress: (percent: number) => void,
): Promise<{ song: SongOutcome; sentAt: number }> {
  const music = await call(
    ops,
    "upload",
    { file: basename(songFile) },
    () =>
      fetch(`${cluster.url}/music`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: readFileSync(songFile),
      }),
    (res) => res.json() as Promise<Uploaded>,
    (m) => ({ music: m.music_id }),
  );
  const karaoke = music.tracks.filter((t) => t.name !== "vocals").map((t) => t.track_id);
  const sentAt = monotonicMs();
  await call(
    ops,
    "choose",
    { music: music.music_id, tracks: karaoke.join(",") },
    () =>
      fetch(`${cluster.url}/music/${music.music_id}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(karaoke),
      }),
    (res) => res.text(),
  );

  faults.start(sentAt);
  const song: SongOutcome = { musicId: music.music_id, status: "separating", done: false };
  let polls = 0;
  while (monotonicMs() - sentAt < plan.budgetMs) {
    let state: SongState;
    try {
      // Every poll is in the history only when something changed, so the file stays small.
      state = (await (await fetch(`${cluster.url}/music/${music.music_id}`)).json()) as SongState;
      polls++;
    } catch {
      await sleep(100);
      continue;
    }
    song.status = state.status;
    onProgress(state.progress);
    if (state.progress === 100) {
      song.done = true;
      song.elapsedMs = Math.round(monotonicMs() - sentAt);
      break;
    }
    if (state.status === "failed") break;
    await sleep(100);
  }
  const seen = ops.invoke("client", "poll", { music: music.music_id, polls });
  ops.complete(seen, song.done ? "ok" : "fail", { status: song.status, elapsedMs: song.elapsedMs ?? null });
  if (!song.done)
    timeline.write(
      "ERROR",
      `Harness: Music[${music.music_id}] not done within the budget (status ${song.status})`,
    );
  return { song, sentAt };
}

/** Saves every stem and the chosen mix (WAV and MP3) as the server serves them, for the output oracle. */
export async function downloadOutputs(
  url: string,
  song: SongOutcome,
  dir: string,
  ops: OperationLog,
): Promise<{ dir: string; error?: string }> {
  if (!song.done) return { dir: "output", error: "no output: the song did not finish" };
  try {
    mkdirSync(dir, { recursive: true });
    const state = await call(
      ops,
      "read",
      { music: song.musicId },
      () => fetch(`${url}/music/${song.musicId}`),
      (res) => res.json() as Promise<SongState>,
    );
    const files: [string, string | null][] = [
      ...state.instruments.map((i): [string, string | null] => [`${i.name}.wav`, i.track]),
      ["final.wav", state.final],
      ["final.mp3", state.final_mp3],
    ];
    for (const [name, path] of files) {
      if (!path) return { dir: "output", error: `the server lists no URL for ${name}` };
      const bytes = await call(
        ops,
        "download",
        { file: name },
        () => fetch(`${url}${path}`),
        async (res) => Buffer.from(await res.arrayBuffer()),
        (b) => ({ bytes: b.length }),
      );
      writeFileSync(join(dir, name), bytes);
    }
    return { dir: "output" };
  } catch (error) {
    return { dir: "output", error: `downloading the outputs failed: ${(error as Error).message}` };
  }
}
