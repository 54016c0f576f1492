import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real file system that runs out of space: a tmpfs of `sizeKb` mounted on a fresh folder (the tests run as
 * root, as CI does). fill() takes every free byte, free() gives them back.
 */
export class SmallDisk {
  readonly dir: string;
  private readonly filler: string;

  constructor(sizeKb: number) {
    this.dir = mkdtempSync(join(tmpdir(), "encore-small-disk-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k`, "tmpfs", this.dir]);
    this.filler = join(this.dir, "filler");
  }

  fill(): void {
    const fd = openSync(this.filler, "a");
    const block = Buffer.alloc(4096, 1);
    try {
      for (;;) writeSync(fd, block);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
    } finally {
      closeSync(fd);
    }
  }

  free(): void {
    rmSync(this.filler, { force: true });
  }

  remove(): void {
    execFileSync("umount", ["-l", this.dir]);
    rmdirSync(this.dir);
  }
}
