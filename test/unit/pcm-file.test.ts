import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { readFrames } from "../../src/server/pcm-file.js";

const dir = mkdtempSync(join(tmpdir(), "encore-pcm-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("reads the frames asked for, and names a file cut short instead of padding it", async () => {
  const file = join(dir, "source.pcm");
  writeFileSync(file, Buffer.from(Int16Array.from({ length: 20 }, (_, i) => i * 100 - 1000).buffer));
  const handle = await open(file, "r");
  try {
    expect(Array.from(await readFrames(handle, 2, 5))).toEqual([-600, -500, -400, -300, -200, -100]);
    await expect(readFrames(handle, 8, 12)).rejects.toThrow(/8 bytes short of frame 12: the file was cut/);
  } finally {
    await handle.close();
  }
});
