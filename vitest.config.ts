import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Processes the tests start run the JavaScript that global setup builds, as users' processes do.
    env: { ENCORE_COMPILED: "1" },
    // Two cores and real brokers: files run one at a time so timings and ports do not fight.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
