import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenarioCli } from "./run-cli.js";

describe("npm run scenario chaos", () => {
  it("catches workers that ACK before working, shrinks the schedule to one fault, and the file replays the failure", async () => {
    const chaos = await runScenarioCli([
      "chaos",
      "--seed",
      "14",
      "--time-limit",
      "1s",
      "--worker-kind",
      "ack-before-work",
      "--broker",
      "local",
    ]);
    expect(chaos.code, chaos.output).toBe(1);
    expect(chaos.output).toMatch(/round 1 \(seed 14\): FAIL/);
    const minimalFile = join(chaos.outDir, "minimal.json");
    expect(existsSync(minimalFile)).toBe(true);
    const minimal = JSON.parse(readFileSync(minimalFile, "utf8")) as {
      faults: { fault: string }[];
      workers: { kind: string };
    };
    expect(minimal.faults.map((f) => f.fault)).toEqual(["kill"]);
    expect(minimal.workers.kind).toBe("ack-before-work");
    expect(readFileSync(join(chaos.outDir, "chaos.md"), "utf8")).toMatch(/## Shrunk/);

    const replay = await runScenarioCli([minimalFile, "--seed", "14", "--broker", "local"]);
    expect(replay.code, replay.output).toBe(1);
    const lost = replay.report().checks.find((c) => c.check === "none-lost");
    expect(lost?.ok).toBe(false);
    expect(lost?.summary).toMatch(/no result ever reached the broker: it is lost/);
  });
});
