import { describe, expect, it } from "vitest";
import { runScenarioCli } from "./run-cli.js";

/**
 * The server-crash moments and the wire-triggered windows of the exactly-once path, on the product: each passes
 * with its fault proven. (Each also fails on a broken variant: scenarios-variants.test.ts.)
 */
describe("the narrow windows, on the product", () => {
  it.each([
    ["server-crash-publishing", /server-kill server: exited/],
    ["server-crash-timed", /server-kill server: exited/],
    ["server-crash-merge", /server-kill server: exited/],
    ["server-restart", /server-stop server: exited/],
    ["cut-on-ack", /cut worker-\d/],
    ["worker-crash-on-receipt", /kill worker-\d/],
  ])(
    "%s passes, its fault landed",
    async (scenario, landed) => {
      const run = await runScenarioCli([scenario, "--broker", "local", "--seed", "41"]);
      expect(run.code, run.output).toBe(0);
      const faults = run.report().checks.find((c) => c.check === "faults-landed");
      expect(faults?.summary).toMatch(landed);
    },
    300_000,
  );
});
