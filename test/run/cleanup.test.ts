import { describe, expect, it } from "vitest";
import { Cleanup } from "../../harness/run/cleanup.js";

describe("Cleanup", () => {
  it("undoes last-in first-out, every step even when one fails, and reports the failures", async () => {
    const cleanup = new Cleanup();
    const done: string[] = [];
    cleanup.add("broker", () => void done.push("broker"));
    cleanup.add("proxies", () => {
      throw new Error("already gone");
    });
    cleanup.add("processes", async () => void done.push("processes"));
    expect(await cleanup.run()).toEqual(["proxies: already gone"]);
    expect(done).toEqual(["processes", "broker"]);
    expect(await cleanup.run()).toEqual(["proxies: already gone"]);
    expect(done).toHaveLength(2);
  });

  it("undoes a step added after the undo began at once (Ctrl-C while the run still starts things)", async () => {
    const cleanup = new Cleanup();
    const done: string[] = [];
    let release: () => void = () => {};
    cleanup.add("slow broker stop", () => new Promise<void>((r) => (release = r)));
    const running = cleanup.run();
    cleanup.add("temp dir", () => void done.push("temp dir"));
    // Synchronously, while the earlier step is still going: the process may exit as soon as that one ends.
    expect(done).toEqual(["temp dir"]);
    cleanup.add("late process", () => {
      throw new Error("no such process");
    });
    release();
    await running;
    expect(await cleanup.run()).toEqual(["late process: no such process"]);
  });
});
