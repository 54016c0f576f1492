import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenarioCli } from "./run-cli.js";

describe("npm run scenario chaos", () => {
  // Timeout: a round, up to 90 s of shrinking (plus the try under way), and the replay.
  it("catches workers that ACK before working, shrinks the schedule, and the shrunk file replays the failure", async () => {
    const chaos = await runScenarioCli([
      "chaos",
      "--seed",
      "14",
      "--time-limit",
      "1s",
      "--shrink-limit",
      "90s",
      "--worker-kind",
      "ack-before-work",
      "--broker",
      "local",
    ]);
    expect(chaos.code, chaos.output).toBe(1);
    expect(chaos.output).toMatch(/round 1 \(seed 14\): FAIL/);
    const failed = /failing schedule \(([a-z-, ]+) failed\)/.exec(chaos.output)?.[1].split(", ") ?? [];
    expect(failed.length).toBeGreaterThan(0);
    const round = JSON.parse(readFileSync(join(chaos.outDir, "round-1", "scenario.json"), "utf8")) as {
      faults: unknown[];
      workload: unknown[];
    };
    const minimalFile = join(chaos.outDir, "minimal.json");
    expect(existsSync(minimalFile)).toBe(true);
    const minimal = JSON.parse(readFileSync(minimalFile, "utf8")) as {
      description: string;
      faults: unknown[];
      workload: unknown[];
      workers: { kind: string };
    };
    expect(minimal.description).toMatch(/^Shrunk from chaos seed 14/);
    expect(minimal.workers.kind).toBe("ack-before-work");
    expect(minimal.faults.length).toBeLessThanOrEqual(2);
    expect(minimal.faults.length + minimal.workload.length).toBeLessThan(
      round.faults.length + round.workload.length,
    );
    expect(readFileSync(join(chaos.outDir, "chaos.md"), "utf8")).toMatch(/## Shrunk/);

    const replay = await runScenarioCli([minimalFile, "--seed", "14", "--broker", "local"]);
    expect(replay.code, replay.output).toBe(1);
    const again = replay.report().checks.filter((c) => !c.ok && failed.includes(c.check));
    expect(again.length, replay.output).toBeGreaterThan(0);
  }, 600_000);
});
