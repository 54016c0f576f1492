import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodeMp3, mp3Encoder } from "../../src/audio/ffmpeg.js";
import { mixStems } from "../../src/audio/merge.js";
import { CHANNELS, STEM_NAMES, type StemName, type Stems } from "../../src/audio/pcm.js";
import { STEM_BLOCK_FRAMES, stemsRange } from "../../src/audio/stem-blocks.js";
import { encodeStems } from "../../src/audio/stem-codec.js";
import { decodeWav } from "../../src/audio/wav.js";
import { mixdown } from "../../src/server/mixdown.js";

/** Whole-song stems: stereo drums and other (other past 16 bits here and there), centred bass and vocals. */
function songStems(frames: number): Stems {
  let state = 7;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const stems = Object.fromEntries(
    STEM_NAMES.map((name) => [name, new Int32Array(frames * CHANNELS)]),
  ) as Stems;
  for (let i = 0; i < frames; i++) {
    for (const name of STEM_NAMES) {
      const centred = name === "bass" || name === "vocals";
      const left = Math.round(20_000 * random());
      stems[name][2 * i] = left;
      stems[name][2 * i + 1] = centred ? left : Math.round(20_000 * random());
    }
    if (i % 997 === 0) stems.other[2 * i] = 50_000;
  }
  return stems;
}

/** How versions before block bodies stored a result: one layout per stem for the whole chunk ("ESt1"). */
function est1Body(stems: Stems): Buffer {
  const centred = (name: StemName) => name === "bass" || name === "vocals";
  const sections = STEM_NAMES.map((name) => {
    if (name === "other") return Buffer.from(Int32Array.from(stems[name]).buffer);
    const kept = stems[name].filter((_, i) => !centred(name) || i % CHANNELS === 0);
    return Buffer.from(Int16Array.from(kept).buffer);
  });
  return Buffer.concat([Buffer.from("ESt1", "latin1"), Buffer.from([0, 1, 1, 2]), ...sections]);
}

const legacyBody = (stems: Stems) =>
  Buffer.concat(STEM_NAMES.map((name) => Buffer.from(Int32Array.from(stems[name]).buffer)));

describe("mixdown", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("merges results of every stored shape, a block at a time, into the WAVs the whole stems give", async () => {
    const musicDir = mkdtempSync(join(tmpdir(), "mixdown-"));
    dir = musicDir;
    // One chunk of each shape; the ESt1 one longer than a block, so it is cut.
    const bounds = [0, 30_011, 30_011 + STEM_BLOCK_FRAMES + 4_321, 2 * STEM_BLOCK_FRAMES + 9_999];
    const frames = bounds[3];
    const stems = songStems(frames);
    const chunks = [0, 1, 2].map((k) => ({ jobId: k + 1, start: bounds[k], end: bounds[k + 1] }));
    const bodies = [legacyBody, est1Body, (s: Stems) => encodeStems(s, 10_007)];
    mkdirSync(join(musicDir, "results"));
    for (const [k, chunk] of chunks.entries())
      writeFileSync(
        join(musicDir, "results", `${chunk.jobId}.stems`),
        bodies[k](stemsRange(stems, chunk.start, chunk.end)),
      );
    const chosen: StemName[] = ["drums", "bass", "other"];
    await mixdown({ musicDir, frames, chunks: [chunks[2], chunks[0], chunks[1]], chosen });

    const wants: Array<[string, readonly StemName[]]> = [
      ...STEM_NAMES.map((name): [string, StemName[]] => [`${name}.wav`, [name]]),
      ["final.wav", chosen],
    ];
    for (const [file, names] of wants) {
      const wav = decodeWav(readFileSync(join(musicDir, "out", file)));
      const want = mixStems(stems, names);
      expect(wav.samples.length, file).toBe(want.length);
      expect(
        Buffer.from(wav.samples.buffer, wav.samples.byteOffset, wav.samples.byteLength).equals(
          Buffer.from(want.buffer),
        ),
        file,
      ).toBe(true);
    }
  });

  it("writes nothing when a result lies about its shape", async () => {
    const musicDir = mkdtempSync(join(tmpdir(), "mixdown-"));
    dir = musicDir;
    const frames = 20_000;
    const body = encodeStems(songStems(frames), 5_000);
    mkdirSync(join(musicDir, "results"));
    writeFileSync(join(musicDir, "results", "1.stems"), body.subarray(0, body.length - 1));
    const plan = { musicDir, frames, chunks: [{ jobId: 1, start: 0, end: frames }], chosen: [] };
    await expect(mixdown(plan)).rejects.toThrow(/ends inside a block/);
    // Not even the half-encoded MP3 is left.
    expect(readdirSync(join(musicDir, "out"))).toEqual([]);
  });

  it("stops its MP3 encoder when aborted before, while and after ffmpeg starts", async () => {
    const out = mkdtempSync(join(tmpdir(), "mixdown-"));
    dir = out;
    const atOnce = mp3Encoder(join(out, "a.mp3"));
    await atOnce.abort();
    const afterSome = mp3Encoder(join(out, "b.mp3"));
    await afterSome.write(Buffer.alloc(4 * 44_100 * 4));
    await afterSome.abort();
    const finished = mp3Encoder(join(out, "c.mp3"));
    await finished.write(Buffer.alloc(4 * 44_100));
    await finished.finish();
    await finished.abort();
  }, 20_000);

  it("encodes final.mp3 while it merges, as ffmpeg encodes the finished final.wav", async () => {
    const musicDir = mkdtempSync(join(tmpdir(), "mixdown-"));
    dir = musicDir;
    const frames = 3 * STEM_BLOCK_FRAMES + 777;
    mkdirSync(join(musicDir, "results"));
    writeFileSync(join(musicDir, "results", "1.stems"), encodeStems(songStems(frames), 20_000));
    const chosen: StemName[] = ["vocals", "other"];
    await mixdown({ musicDir, frames, chunks: [{ jobId: 1, start: 0, end: frames }], chosen });

    const fromWav = join(musicDir, "from-wav.mp3");
    await encodeMp3(join(musicDir, "out", "final.wav"), fromWav);
    expect(readFileSync(join(musicDir, "out", "final.mp3")).equals(readFileSync(fromWav))).toBe(true);
    expect(readdirSync(join(musicDir, "out")).sort()).toEqual(
      [...STEM_NAMES.map((n) => `${n}.wav`), "final.mp3", "final.wav"].sort(),
    );
  });
});
