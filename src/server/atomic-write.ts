import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Readers see the old file or the new one, never half of one, even across a crash; and once this resolves the
 * file is on disk (data and name both synced), so a record saved after it never names a file a crash took.
 */
export async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const file = await open(tmp, "w");
  try {
    await file.writeFile(data);
    await file.sync();
    await file.close();
    await rename(tmp, path);
  } catch (error) {
    // A full disk must not also be left fuller by the half-written copy.
    await file.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
  const folder = await open(dir, "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
