import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { cliEntry, nodeArgsFor } from "../../src/process/spawn-entry.js";

const dir = mkdtempSync(join(tmpdir(), "encore-damaged-ledger-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a damaged data directory", () => {
  it.each([
    [
      "ledger.db",
      "not a database at all, just text",
      /ledger\.db: cannot be opened as the server's ledger: file is not a database/,
    ],
    ["state.json", '{"music": [', /state\.json: cannot be migrated: /],
  ])(
    "%s: the server exits 1 with one line naming the file, no stack trace",
    async (file, content, message) => {
      const data = mkdtempSync(join(dir, "data-"));
      writeFileSync(join(data, file), content);
      const run = promisify(execFile)(
        process.execPath,
        [...nodeArgsFor(cliEntry("server")), "--data-dir", data, "--port", "0"],
        { env: { ...process.env, BROKER_STOMP_PORT: "1" } },
      );
      const failed = await run.then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(message);
      expect(failed?.stderr).toContain(join(data, file));
      expect(failed?.stderr).not.toMatch(/^\s+at /m);
    },
  );
});
