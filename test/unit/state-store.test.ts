import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { StateStore } from "../../src/server/state-store.js";
import { SmallDisk } from "./small-disk.js";
import { jobRecord, songRecord } from "./state-records.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "encore-store-test-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(dir: string): StateStore {
  const store = new StateStore(dir);
  cleanups.push(() => store.close());
  return store;
}

describe("StateStore (the SQLite ledger)", () => {
  it("gives a restarted server every song, job and counter it saved", async () => {
    const dir = dataDir();
    const store = open(dir);
    store.state.next_music_id = 2;
    store.state.music["1"] = songRecord({ job_ids: [1, 2], trace: { traceparent: "00-x" } });
    store.state.jobs["1"] = jobRecord(1, true);
    store.state.jobs["2"] = jobRecord(2);
    await store.save();
    store.close();
    expect(open(dir).state).toEqual(store.state);
  });

  it("writes only the rows that changed, and deletes the ones that are gone", async () => {
    const store = open(dataDir());
    store.state.music["1"] = songRecord({ job_ids: [1, 2] });
    store.state.jobs["1"] = jobRecord(1);
    store.state.jobs["2"] = jobRecord(2);
    expect(await store.save()).toBe(3 + 4); // three records and the four counters
    expect(await store.save()).toBe(0);
    store.state.jobs["2"] = jobRecord(2, true);
    expect(await store.save()).toBe(1);
    store.state.epoch++;
    store.state.music = {};
    store.state.jobs = {};
    expect(await store.save()).toBe(1 + 3);
    expect(open(store.dataDir).state).toMatchObject({ epoch: 2, music: {}, jobs: {} });
  });

  it("commits nothing of a save the disk refuses, forgets nothing, and writes it all with the next save", async () => {
    const disk = new SmallDisk(1024);
    cleanups.push(() => disk.remove());
    const store = open(disk.dir);
    store.state.music["1"] = songRecord();
    store.state.jobs["1"] = jobRecord(1);
    await store.save();
    disk.fill();
    store.state.jobs["1"] = jobRecord(1, true);
    // Enough rows that the write cannot fit in what the file system still has in hand.
    for (let id = 2; id < 400; id++) store.state.jobs[id] = jobRecord(id, false, { chunk_count: 400 });
    await expect(store.save()).rejects.toThrow(/ledger\.db: save failed: .*(full|space)/);
    expect(store.failing).toMatch(/save failed/);
    disk.free();
    expect(await store.save()).toBe(399);
    expect(store.failing).toBeUndefined();
    store.close();
    const again = open(disk.dir);
    expect(again.state.jobs["1"]?.accepted?.worker_id).toBe("w");
    expect(Object.keys(again.state.jobs)).toHaveLength(399);
  });

  it("names the file when the ledger is not a database", () => {
    const dir = dataDir();
    writeFileSync(
      join(dir, "ledger.db"),
      "this is not SQLite, just some text long enough to be read as a header",
    );
    expect(() => new StateStore(dir)).toThrow(
      /ledger\.db: cannot be opened as the server's ledger: .*not a database/,
    );
  });

  it("names the file and the row when a stored record is damaged", async () => {
    const dir = dataDir();
    const store = open(dir);
    store.state.music["1"] = songRecord();
    store.state.jobs["1"] = jobRecord(1);
    await store.save();
    store.close();
    const db = new Database(join(dir, "ledger.db"));
    db.prepare("UPDATE jobs SET record = json_set(record, '$.start', 'soon') WHERE job_id = 1").run();
    db.prepare("UPDATE meta SET value = 2 WHERE key = 'version'").run();
    db.close();
    expect(() => new StateStore(dir)).toThrow(/ledger\.db: ledger version 2, this server knows 1/);
    const fix = new Database(join(dir, "ledger.db"));
    fix.prepare("UPDATE meta SET value = 1 WHERE key = 'version'").run();
    fix.close();
    expect(() => new StateStore(dir)).toThrow(
      /ledger\.db jobs row 1: not a job record: \/start must be integer/,
    );
  });

  it("migrates a state.json data directory once, and keeps the old file aside", () => {
    const dir = dataDir();
    const legacy = {
      version: 1,
      epoch: 3,
      next_music_id: 2,
      next_track_id: 5,
      next_job_id: 2,
      music: { "1": songRecord({ status: "done" }) },
      jobs: { "1": jobRecord(1, true) },
    };
    writeFileSync(join(dir, "state.json"), JSON.stringify(legacy));
    const store = open(dir);
    expect(store.migratedFrom).toBe(join(dir, "state.json"));
    expect(store.state).toEqual(legacy);
    expect(JSON.parse(readFileSync(join(dir, "state.json.migrated"), "utf8"))).toEqual(legacy);
    store.close();
    const again = open(dir);
    expect(again.migratedFrom).toBeUndefined();
    expect(again.state).toEqual(legacy);
  });

  it("refuses a state.json it cannot read, naming the file and the field", () => {
    const dir = dataDir();
    writeFileSync(join(dir, "state.json"), JSON.stringify({ version: 1, epoch: 1, next_music_id: 0 }));
    expect(() => new StateStore(dir)).toThrow(/state\.json: cannot be migrated: next_music_id is 0/);
  });
});
