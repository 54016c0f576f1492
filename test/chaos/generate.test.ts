import { describe, expect, it } from "vitest";
import { chaosScenario } from "../../harness/chaos/generate.js";
import { NEMESES } from "../../harness/nemesis/index.js";
import { validateScenario } from "../../harness/scenario/validate-scenario.js";

const KINDS = { workerKind: "standard", serverKind: "standard", brokerCrash: true } as const;
const draw = (seed: number) => validateScenario(chaosScenario(seed, KINDS), `seed ${seed}`, NEMESES);

describe("seeded chaos schedules", () => {
  const seeds = Array.from({ length: 300 }, (_, i) => i + 1);

  it("are valid scenarios, the same for the same seed", () => {
    for (const seed of seeds) expect(draw(seed)).toEqual(draw(seed));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it("keep the system able to finish: healthy workers untouched, one fault per target, every healable fault healed", () => {
    for (const seed of seeds) {
      const s = draw(seed);
      expect(s.workers.healthy, `seed ${seed}`).toBeGreaterThanOrEqual(2);
      // What each fault holds: a worker, the server, the broker (a crash) or a song (an injected message).
      const targets = s.faults.map((f) =>
        NEMESES[f.fault].chaos?.targets === "song" ? "song" : JSON.stringify(f.targets),
      );
      expect(new Set(targets).size, `seed ${seed}: ${targets}`).toBe(targets.length);
      for (const f of s.faults) {
        if (Array.isArray(f.targets))
          for (const w of f.targets) expect(w, `seed ${seed}: ${f.fault}`).toBeGreaterThan(s.workers.healthy);
        else expect(["server", "broker"]).toContain(f.targets);
        // A fault that can be healed is; the server's come back by themselves (their plan sets a default).
        if (NEMESES[f.fault].heal && !NEMESES[f.fault].plan)
          expect(f.for, `seed ${seed}: ${f.fault}`).toBeDefined();
      }
    }
  });

  it("draw every nemesis that declares how chaos may use it, and never one that does not", () => {
    const drawn = new Set(seeds.flatMap((seed) => draw(seed).faults.map((f) => f.fault)));
    const declared = Object.values(NEMESES)
      .filter((n) => n.chaos)
      .map((n) => n.name);
    expect([...drawn].sort()).toEqual([...declared].sort());
    expect(drawn.has("flap")).toBe(false);
  });

  it("never draw a broker crash where the broker cannot be restarted", () => {
    for (const seed of seeds) {
      const s = validateScenario(chaosScenario(seed, { ...KINDS, brokerCrash: false }), "x", NEMESES);
      expect(s.faults.some((f) => f.fault === "broker-crash")).toBe(false);
    }
  });
});
