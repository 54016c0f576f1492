import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenarioCli } from "./run-cli.js";

describe("npm run scenario chaos", () => {
  // Timeout: a round, up to 5 minutes of shrinking (plus the try under way), and the replay.
  it("catches a server that ACKs results before saving them, shrinks the schedule to the one fault, and the file replays it", async () => {
    // Seed 202 draws a cut of worker 3 and a server kill as its first result ACK passes.
    const chaos = await runScenarioCli([
      "chaos",
      "--seed",
      "202",
      "--time-limit",
      "1s",
      "--shrink-limit",
      "5m",
      "--server-kind",
      "ack-before-save",
      "--broker",
      "local",
    ]);
    expect(chaos.code, chaos.output).toBe(1);
    expect(chaos.output).toMatch(/round 1 \(seed 202\): FAIL/);
    const round = JSON.parse(readFileSync(join(chaos.outDir, "round-1", "scenario.json"), "utf8")) as {
      faults: { fault: string }[];
    };
    expect(round.faults.map((f) => f.fault).sort()).toEqual(["cut", "server-kill"]);
    const minimalFile = join(chaos.outDir, "minimal.json");
    expect(existsSync(minimalFile)).toBe(true);
    const minimal = JSON.parse(readFileSync(minimalFile, "utf8")) as {
      description: string;
      faults: { fault: string; on?: { event: string } }[];
      server: { kind: string };
    };
    expect(minimal.description).toMatch(/^Shrunk from chaos seed 202 \(2 steps → 1\)/);
    expect(minimal.server.kind).toBe("ack-before-save");
    expect(minimal.faults).toHaveLength(1);
    expect(minimal.faults[0]).toMatchObject({ fault: "server-kill", on: { event: "result-ack" } });
    expect(readFileSync(join(chaos.outDir, "chaos.md"), "utf8")).toMatch(/## Shrunk/);

    const replay = await runScenarioCli([minimalFile, "--seed", "202", "--broker", "local"]);
    expect(replay.code, replay.output).toBe(1);
    const liveness = replay.report().checks.find((c) => c.check === "liveness");
    expect(liveness?.summary).toMatch(/a result ACKed and not kept/);
  }, 600_000);
});
