import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { resetAll } from "../../src/server/reset.js";
import { StateStore } from "../../src/server/state-store.js";
import { jobRecord, songRecord } from "./state-records.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function storeWithOneSong(): StateStore {
  const dir = mkdtempSync(join(tmpdir(), "encore-reset-test-"));
  dirs.push(dir);
  const store = new StateStore(dir);
  store.state.music["1"] = songRecord({ status: "merging", job_ids: [1, 2] });
  store.state.jobs["1"] = jobRecord(1, true);
  store.state.jobs["2"] = jobRecord(2);
  return store;
}

describe("resetAll", () => {
  it("saves the empty state first, announces the epoch, waits for the removed songs' merges and the results being taken, and only then deletes their files", async () => {
    const store = storeWithOneSong();
    const steps: string[] = [];
    let mergeDone: () => void = () => {};
    const merging = new Promise<void>((r) => {
      mergeDone = r;
    });
    let resultTaken: () => void = () => {};
    const taking = new Promise<void>((r) => {
      resultTaken = r;
    });
    const reset = resetAll({
      store,
      pipeline: {
        settled: async (ids) => {
          steps.push(`wait for ${ids.join(",")}`);
          await merging;
        },
      },
      collector: {
        drained: async () => {
          steps.push("wait for results");
          await taking;
        },
      },
      music: {
        removeFiles: async (id) => {
          steps.push(`remove ${id}`);
        },
        announceEpoch: async (epoch) => {
          steps.push(`announce ${epoch}`);
        },
      },
      log: createLogger(() => {}),
    });
    await new Promise((r) => setTimeout(r, 50));
    // The workers hear of it before the files go: deleting gigabytes takes seconds.
    expect(steps).toEqual(["announce 2", "wait for 1"]);
    const saved = new StateStore(store.dataDir);
    expect(saved.state).toMatchObject({ epoch: 2, music: {}, jobs: {} });
    saved.close();
    mergeDone();
    await new Promise((r) => setTimeout(r, 50));
    expect(steps).toEqual(["announce 2", "wait for 1", "wait for results"]);
    resultTaken();
    expect(await reset).toBe(1);
    expect(steps).toEqual(["announce 2", "wait for 1", "wait for results", "remove 1"]);
  });
});
