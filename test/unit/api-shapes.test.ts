import { describe, expect, it } from "vitest";
import { asSongState, asUploaded } from "../../harness/client/api-shapes.js";

describe("the harness client's reading of the server's answers", () => {
  const song = {
    status: "done",
    progress: 100,
    instruments: [{ name: "drums", track_id: 1, track: "/music/1/tracks/1.wav" }],
    final: "/music/1/final.wav",
    final_mp3: "/music/1/final.mp3",
    selected: [1],
  };

  it("takes answers of the documented shape, and only their fields", () => {
    expect(asSongState(song)).toEqual({
      status: "done",
      progress: 100,
      instruments: song.instruments,
      final: song.final,
      final_mp3: song.final_mp3,
    });
    expect(asSongState({ ...song, status: "failed", error: "Job[3]: bad" }).error).toBe("Job[3]: bad");
    expect(asUploaded({ music_id: 4, tracks: [{ track_id: 9, name: "bass" }], extra: true })).toEqual({
      music_id: 4,
      tracks: [{ track_id: 9, name: "bass" }],
    });
  });

  it.each([
    [null],
    [{ ...song, progress: "100" }],
    [{ ...song, instruments: [{ name: "drums" }] }],
    [{ ...song, final: 3 }],
    [{ ...song, error: 42 }],
  ])("names an answer of another shape: %j", (answer) => {
    expect(() => asSongState(answer)).toThrow(/the server answered a song of an unexpected shape/);
  });

  it("names an upload answer of another shape", () => {
    expect(() => asUploaded({ music_id: "4", tracks: [] })).toThrow(/an upload of an unexpected shape/);
    expect(() => asUploaded({ music_id: 4, tracks: [{ track_id: 1 }] })).toThrow(/unexpected shape/);
  });
});
