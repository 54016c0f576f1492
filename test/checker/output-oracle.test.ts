import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { outputOracle } from "../../harness/checker/output-oracle.js";
import { checkInput, readRecordings } from "../../harness/run/judge-run.js";
import { STEM_NAMES } from "../../src/audio/pcm.js";
import { encodeWav } from "../../src/audio/wav.js";

const FIXTURE = new URL("../fixtures/runs/freeze-1-of-4", import.meta.url).pathname;
const base = checkInput(readRecordings(FIXTURE));
const dirs: string[] = [];
const withOutput = (output: { dir: string; error?: string }) => ({
  ...base.songs[0],
  output,
  reference: { dir: "reference" },
});
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Half a second of a ramp, as every stem and mix; `change` edits what the server "served". */
function run(change: (out: string, samples: Int16Array) => void = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), "encore-oracle-"));
  dirs.push(dir);
  const samples = new Int16Array(2 * 22_050).map((_, i) => ((i * 37) % 20_000) - 10_000);
  for (const sub of ["output", "reference"]) {
    mkdirSync(join(dir, sub));
    for (const name of [...STEM_NAMES, "final"])
      writeFileSync(join(dir, sub, `${name}.wav`), encodeWav(samples));
  }
  const out = join(dir, "output");
  execFileSync("ffmpeg", ["-v", "error", "-y", "-i", join(out, "final.wav"), join(out, "final.mp3")]);
  change(out, samples);
  return outputOracle.check({ ...base, dir, songs: [withOutput({ dir: "output" })] });
}

describe("output-oracle, on files", () => {
  it("passes identical stems and mix, and an MP3 of the mix's length", async () => {
    const v = await run();
    expect(v.status).toBe("pass");
    expect(v.summary).toMatch(/6 files match: 44100 samples in the mix, largest difference 0 LSB/);
  });

  it("allows 1 LSB but fails a stem 2 LSB off, naming it", async () => {
    expect(
      (
        await run((out, s) =>
          writeFileSync(join(out, "bass.wav"), encodeWav(s.map((x, i) => (i === 99 ? x + 1 : x)))),
        )
      ).status,
    ).toBe("pass");
    const v = await run((out, s) =>
      writeFileSync(join(out, "drums.wav"), encodeWav(s.map((x, i) => (i === 99 ? x + 2 : x)))),
    );
    expect(v.status).toBe("fail");
    expect(v.summary).toBe("drums.wav: differs by up to 2 LSB");
  });

  it("fails a mix one frame short", async () => {
    const v = await run((out, s) =>
      writeFileSync(join(out, "final.wav"), encodeWav(s.subarray(0, s.length - 2))),
    );
    expect(v.summary).toMatch(/final\.wav: length 44098 samples, reference 44100/);
  });

  it("fails an MP3 that does not decode, or decodes to another length", async () => {
    expect((await run((out) => writeFileSync(join(out, "final.mp3"), "not an mp3"))).summary).toMatch(
      /final\.mp3: does not decode/,
    );
    const short = await run((out, s) => {
      writeFileSync(join(out, "half.wav"), encodeWav(s.subarray(0, s.length / 2)));
      execFileSync("ffmpeg", ["-v", "error", "-y", "-i", join(out, "half.wav"), join(out, "final.mp3")]);
    });
    expect(short.summary).toMatch(/final\.mp3: decodes to \d+ frames, the mix has 22050/);
  });

  it("cannot tell without a reference, and fails when the song gave no output", async () => {
    expect((await run((out) => rmSync(join(out, "..", "reference"), { recursive: true }))).status).toBe(
      "unknown",
    );
    const none = await outputOracle.check({
      ...base,
      songs: [withOutput({ dir: "output", error: "no output: the song did not finish" })],
    });
    expect(none.status).toBe("fail");
  });
});
