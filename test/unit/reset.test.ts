import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { resetAll } from "../../src/server/reset.js";
import { type JobRecord, type MusicRecord, StateStore } from "../../src/server/state-store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function storeWithOneSong(): StateStore {
  const dir = mkdtempSync(join(tmpdir(), "encore-reset-test-"));
  dirs.push(dir);
  const store = new StateStore(dir);
  const song: MusicRecord = {
    music_id: 1,
    name: "a",
    band: "b",
    frames: 88200,
    tracks: [],
    status: "merging",
    selected: [],
    job_ids: [1, 2],
  };
  const job = (id: number, accepted: boolean): JobRecord => ({
    job_id: id,
    music_id: 1,
    chunk_index: id - 1,
    chunk_count: 2,
    start: 0,
    end: 44100,
    context_start: 0,
    context_end: 44100,
    size: 0,
    epoch: 1,
    attempt: 1,
    published: true,
    duplicates: 0,
    ...(accepted
      ? {
          accepted: { worker_id: "w", time: 1, received_at: 0, redelivered: false, delivery_count: 0 },
        }
      : {}),
  });
  store.state.music["1"] = song;
  store.state.jobs["1"] = job(1, true);
  store.state.jobs["2"] = job(2, false);
  return store;
}

describe("resetAll", () => {
  it("saves the empty state first, waits for the removed songs' merges, and only then deletes their files", async () => {
    const store = storeWithOneSong();
    const steps: string[] = [];
    let mergeDone: () => void = () => {};
    const merging = new Promise<void>((r) => {
      mergeDone = r;
    });
    const reset = resetAll({
      store,
      pipeline: {
        settled: async (ids) => {
          steps.push(`wait for ${ids.join(",")}`);
          await merging;
        },
      },
      music: {
        removeFiles: async (id) => {
          steps.push(`remove ${id}`);
        },
        announceReset: async (epoch) => {
          steps.push(`announce ${epoch}`);
        },
      },
      log: createLogger(() => {}),
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(steps).toEqual(["wait for 1"]);
    const saved: unknown = JSON.parse(readFileSync(join(store.dataDir, "state.json"), "utf8"));
    expect(saved).toMatchObject({ epoch: 2, music: {}, jobs: {} });
    mergeDone();
    expect(await reset).toBe(1);
    expect(steps).toEqual(["wait for 1", "remove 1", "announce 2"]);
  });
});
