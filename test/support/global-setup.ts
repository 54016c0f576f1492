import { execFileSync } from "node:child_process";
import { fromRoot } from "../../src/process/project-paths.js";
import { encoreProcesses } from "./stray-processes.js";

/**
 * Builds dist/ for the processes the tests start, and fails the run if the tests leave any process of ours
 * behind (brokers, epmd, workers, servers, reapers).
 */
export default function setup() {
  execFileSync(process.execPath, [fromRoot("scripts/build.mjs"), "--if-stale"], { stdio: "inherit" });
  const before = encoreProcesses();
  return async () => {
    let strays: [number, string][] = [];
    // Reapers and epmd take a moment to notice their node is gone.
    for (let i = 0; i < 50; i++) {
      strays = [...encoreProcesses()].filter(([pid]) => !before.has(pid));
      if (strays.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `the tests left processes behind:\n${strays.map(([pid, args]) => `  ${pid} ${args}`).join("\n")}`,
    );
  };
}
