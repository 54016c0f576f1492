import { readFileSync } from "node:fs";

/** What one song's trip through the cluster gave: the chosen tracks, where the final mix is, and the time. */
export interface KaraokeRun {
  musicId: number;
  tracks: string[];
  /** Paths on the server of the final mix, as WAV and MP3. */
  final: string;
  finalMp3: string;
  /** When the tracks were chosen (ms since the epoch), which is what publishes the jobs. */
  startedAt: number;
  /** From then until the server reported the song done. */
  ms: number;
}

/**
 * Uploads `song` to the server at `url`, chooses every track but vocals (a karaoke track) and polls until the
 * song is done, that is its final mix made.
 */
export async function karaokeThroughCluster(url: string, song: string, pollMs = 250): Promise<KaraokeRun> {
  const api = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${url}${path}`, init);
    const body = await res.json();
    if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const music = await api("/music", {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: readFileSync(song),
  });
  const karaoke = music.tracks.filter((t: { name: string }) => t.name !== "vocals");
  const started = Date.now();
  await api(`/music/${music.music_id}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(karaoke.map((t: { track_id: number }) => t.track_id)),
  });
  let state = await api(`/music/${music.music_id}`);
  while (state.status !== "done") {
    if (state.status === "failed") throw new Error(`the song failed: ${state.error}`);
    await new Promise((r) => setTimeout(r, pollMs));
    state = await api(`/music/${music.music_id}`);
  }
  return {
    musicId: music.music_id,
    tracks: karaoke.map((t: { name: string }) => t.name),
    final: state.final,
    finalMp3: state.final_mp3,
    startedAt: started,
    ms: Date.now() - started,
  };
}
