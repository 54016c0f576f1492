import { isJsonObject as isObject } from "../json-object.js";

/**
 * The server's HTTP answers as the harness's client reads them, checked at the edge: an answer of another
 * shape is an error naming what is wrong, never a half-read object.
 */
export interface Uploaded {
  music_id: number;
  tracks: { track_id: number; name: string }[];
}

export interface SongState {
  status: string;
  progress: number;
  instruments: { name: string; track_id: number; track: string | null }[];
  final: string | null;
  final_mp3: string | null;
  error?: string;
}

const nullableText = (v: unknown) => v === null || typeof v === "string";

function fail(what: string, v: unknown): never {
  throw new Error(`the server answered ${what} of an unexpected shape: ${JSON.stringify(v)?.slice(0, 200)}`);
}

export function asUploaded(v: unknown): Uploaded {
  if (!isObject(v) || typeof v.music_id !== "number" || !Array.isArray(v.tracks)) fail("an upload", v);
  const tracks = v.tracks.map((t) => {
    if (!isObject(t) || typeof t.track_id !== "number" || typeof t.name !== "string") fail("an upload", v);
    return { track_id: t.track_id, name: t.name };
  });
  return { music_id: v.music_id, tracks };
}

export function asSongState(v: unknown): SongState {
  if (
    !isObject(v) ||
    typeof v.status !== "string" ||
    typeof v.progress !== "number" ||
    !Array.isArray(v.instruments) ||
    !nullableText(v.final) ||
    !nullableText(v.final_mp3) ||
    (v.error !== undefined && typeof v.error !== "string")
  )
    fail("a song", v);
  const instruments = v.instruments.map((i) => {
    if (
      !isObject(i) ||
      typeof i.name !== "string" ||
      typeof i.track_id !== "number" ||
      !nullableText(i.track)
    )
      fail("a song", v);
    return { name: i.name, track_id: i.track_id, track: i.track as string | null };
  });
  return {
    status: v.status,
    progress: v.progress,
    instruments,
    final: v.final as string | null,
    final_mp3: v.final_mp3 as string | null,
    ...(typeof v.error === "string" ? { error: v.error } : {}),
  };
}
