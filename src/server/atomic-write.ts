import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/** A file written in pieces that readers see only whole, once committed (see writeAtomic). */
export interface AtomicFile {
  write(data: Buffer | string): Promise<void>;
  commit(): Promise<void>;
  /** Drops what was written; the file at `path`, if any, is left as it was. */
  abort(): Promise<void>;
}

export async function openAtomic(path: string): Promise<AtomicFile> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const file = await open(tmp, "w");
  const abort = async () => {
    // A full disk must not also be left fuller by the half-written copy.
    await file.close().catch(() => {});
    await rm(tmp, { force: true });
  };
  return {
    write: async (data) => {
      await file.appendFile(data);
    },
    commit: async () => {
      try {
        await file.sync();
        await file.close();
        await rename(tmp, path);
      } catch (error) {
        await abort();
        throw error;
      }
      await syncFolder(dir);
    },
    abort,
  };
}

/**
 * Readers see the old file or the new one, never half of one, even across a crash; and once this resolves the
 * file is on disk (data and name both synced), so a record saved after it never names a file a crash took.
 */
export async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  const file = await openAtomic(path);
  try {
    await file.write(data);
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.commit();
}

/**
 * Moves a finished file to `path` durably: its data synced first, then the name in its new folder, so a record
 * saved after this never names a file a crash took. Both must be on one file system.
 */
export async function moveDurably(from: string, path: string): Promise<void> {
  const file = await open(from, "r+");
  try {
    await file.sync();
  } finally {
    await file.close();
  }
  await mkdir(dirname(path), { recursive: true });
  await rename(from, path);
  await syncFolder(dirname(path));
}

async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
