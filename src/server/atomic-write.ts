import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** Readers see the old file or the new one, never half of one, even across a crash. */
export async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
