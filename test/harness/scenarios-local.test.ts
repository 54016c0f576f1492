import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CHECKERS } from "../../harness/checker/index.js";
import { openInChromium, SCREENSHOTS } from "../support/chromium.js";
import { encoreProcesses } from "../support/stray-processes.js";
import { runScenarioCli } from "./run-cli.js";

describe("scenarios on the local broker", () => {
  it("crash-2-of-12 passes every check, with both crashes redelivered and measured", async () => {
    const run = await runScenarioCli(["crash-2-of-12", "--broker", "local", "--seed", "11"]);
    expect(run.code, run.output).toBe(0);
    const report = run.report();
    expect(report.verdict).toBe("pass");
    expect(report.environment.broker.kind).toBe("local");
    expect(report.checks.map((c) => c.check)).toEqual(CHECKERS.map((c) => c.name));
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(report.chunks).toHaveLength(12);
    // Judged from the wire: every job MESSAGE, ACK and result the taps saw, and both kills proven.
    const wire = readFileSync(join(run.outDir, "wire.jsonl"), "utf8");
    expect(wire.match(/"command":"ACK"/g)?.length).toBeGreaterThanOrEqual(24);
    expect(report.checks.find((c) => c.check === "faults-landed")?.summary).toMatch(
      /kill worker-\d+: dead \d+ ms after SIGKILL; kill worker-\d+: dead \d+ ms after SIGKILL/,
    );
    const measured = report.detections.filter((d) => d.detectionMs !== null);
    expect(measured).toHaveLength(2);
    for (const d of measured) expect(d.detectionMs).toBeLessThanOrEqual(d.boundMs ?? 0);
    const timeline = readFileSync(join(run.outDir, "timeline.log"), "utf8");
    expect(timeline).toMatch(/ - WARNING - Simulating workers crash\. Killing 2 workers\./);
    expect(timeline).toMatch(/started Job\[\d+\]\. \(redelivered, delivery 2\)/);
    expect(timeline).toMatch(/Server: Music\[1\] - total time: \d+\.\d\d\[s\]/);
    expect(existsSync(join(run.outDir, "report.md"))).toBe(true);
    // One trace for the song; every delivery attempt in it, the two cut short by the crashes too.
    const traces = JSON.parse(readFileSync(join(run.outDir, "traces.json"), "utf8")) as {
      data: { spans: { operationName: string; tags: { key: string; value: unknown }[] }[] }[];
    };
    expect(traces.data).toHaveLength(1);
    const attempts = traces.data[0].spans.filter((s) => s.operationName.startsWith("attempt Job["));
    expect(attempts).toHaveLength(14);
    const outcomes = attempts.map((s) => s.tags.find((t) => t.key === "encore.outcome")?.value);
    expect(outcomes.filter((o) => o === "crashed")).toHaveLength(2);
    expect(outcomes.filter((o) => o === "acked")).toHaveLength(12);
    // The default time scale keeps the whole run, broker start included, under a minute.
    expect(report.timings.wallMs).toBeLessThan(60_000);

    // A person opening report.html sees both crashes and their redeliveries at a glance.
    const opened = await openInChromium(join(run.outDir, "report.html"));
    try {
      const chart = opened.page.locator("#gantt svg.gantt");
      await expect.poll(() => chart.isVisible()).toBe(true);
      expect(await chart.locator(".gantt-lane").count()).toBe(12);
      expect(await chart.locator(".gantt-bar").count()).toBe(14);
      expect(await chart.locator(".gantt-crash").count()).toBe(2);
      expect(await chart.locator(".gantt-handover").count()).toBe(2);
      mkdirSync(SCREENSHOTS, { recursive: true });
      const shot = join(SCREENSHOTS, "crash-2-of-12-gantt.png");
      await opened.page.locator("#gantt").screenshot({ path: shot });
      console.log(`crash-2-of-12: screenshot ${shot}; trace spans ${traces.data[0].spans.length}`);
    } finally {
      await opened.close();
    }
  });

  it("freeze-1-of-4 passes: the zombie's late result is dropped and its stale ACK does not count", async () => {
    const run = await runScenarioCli(["freeze-1-of-4", "--broker", "local", "--seed", "5"]);
    expect(run.code, run.output).toBe(0);
    const report = run.report();
    expect(report.checks.every((c) => c.ok)).toBe(true);
    const frozen = report.detections.find((d) => d.fault === "freeze");
    expect(frozen?.job).not.toBeNull();
    const chunk = report.chunks.find((c) => c.job === frozen?.job);
    expect(chunk?.resultsAcked).toBe(2);
    expect(chunk?.duplicatesDropped).toBe(1);
    // The broker dropped the frozen connection: the wire shows that attempt end, never its ACK.
    expect(JSON.stringify(chunk?.deliveries)).toContain('"outcome":"frozen"');
  });

  it("freeze-1-of-4 fails on workers without heart-beats: the frozen worker keeps its job and ACKs it itself", async () => {
    const run = await runScenarioCli([
      "freeze-1-of-4",
      "--broker",
      "local",
      "--seed",
      "5",
      "--worker-kind",
      "no-heartbeat",
    ]);
    expect(run.code, run.output).toBe(1);
    const detection = run.report().checks.find((c) => c.check === "detection");
    expect(detection?.ok).toBe(false);
    expect(detection?.summary).toMatch(/the faulted attempt ACKed Job\[\d+\] itself \d+ ms after the fault/);
  });

  it("consumer-timeout passes: only the broker's consumer timeout takes the hung worker's job back", async () => {
    const run = await runScenarioCli(["consumer-timeout", "--broker", "local", "--seed", "5"]);
    expect(run.code, run.output).toBe(0);
    const report = run.report();
    expect(report.checks.find((c) => c.check === "faults-landed")?.summary).toMatch(
      /consumer-timeout worker-4: the broker's ERROR ".*timed out.*" \d+ ms after the hang/,
    );
    const hung = report.detections.find((d) => d.fault === "consumer-timeout");
    const chunk = report.chunks.find((c) => c.job === hung?.job);
    expect(chunk?.deliveries.map((d) => d.outcome).sort()).toEqual(["acked", "frozen"]);
    expect(chunk?.duplicatesDropped).toBe(1);
    expect(run.output).toMatch(
      /broker settings for this run: \{"consumer_timeout":5000,"channel_tick_interval":1000\}/,
    );
  });

  it("a fault that cannot land (a kill of a worker already dead) makes the run unknown, exit 3, saying why", async () => {
    const scenario = fileURLToPath(new URL("../fixtures/scenarios/kill-exited-worker.json", import.meta.url));
    const run = await runScenarioCli([scenario, "--broker", "local", "--seed", "3"]);
    expect(run.code, run.output).toBe(3);
    expect(run.output).toMatch(/kill-exited-worker \(seed 3\): UNKNOWN/);
    expect(run.output).toMatch(
      /UNKNOWN faults-landed: 1 of 2 faults do not count: kill of worker-4 did not happen: process \d+ had already exited/,
    );
    expect(run.report().verdict).toBe("unknown");
  });

  it("the checks fail on a broken system: workers that ACK before working lose the crashed chunk", async () => {
    const run = await runScenarioCli(["broken-ack-before-work", "--broker", "local", "--seed", "5"]);
    expect(run.code, run.output).toBe(1);
    const report = run.report();
    expect(report.verdict).toBe("fail");
    const noneLost = report.checks.find((c) => c.check === "none-lost");
    expect(noneLost?.ok).toBe(false);
    expect(noneLost?.summary).toMatch(/no result ever reached the broker: it is lost/);
    // The witness is the chunk's frames: published, delivered, ACKed at once, and no result ever sent.
    const frames = noneLost?.witness?.history?.map((e) => e.frame) ?? [];
    expect(frames).toEqual(
      expect.arrayContaining(
        ["→ SEND /queue/" + "encore-", "← MESSAGE", "→ ACK"].map((f) => expect.stringContaining(f)),
      ),
    );
    expect(frames.some((f) => f.includes(".results"))).toBe(false);
    expect(run.output).toMatch(/replay: npm run scenario broken-ack-before-work -- --seed 5 --broker local/);
  });

  it.each([
    [["no-such-scenario"], /unknown scenario "no-such-scenario"/],
    [["crash-2-of-12", "--broker", "moon"], /bad option --broker="moon"/],
    [["crash-2-of-12", "--seed", "x"], /bad option --seed="x"/],
    [["crash-2-of-12", "--time-scale", "0"], /bad option --time-scale="0"/],
    [["crash-2-of-12", "--bogus", "1"], /unknown option --bogus/],
    [["crash-13-of-12"], /workers.healthy is -1/],
  ])("%j is a usage error with exit code 2", async (args, message) => {
    const run = await runScenarioCli(args);
    expect(run.code).toBe(2);
    expect(run.output).toMatch(message);
  });

  it("Ctrl-C mid-run stops every process it started and exits 130", async () => {
    const before = encoreProcesses();
    let interrupted = false;
    const run = await runScenarioCli(["crash-2-of-12", "--broker", "local", "--seed", "2"], (line, child) => {
      if (!interrupted && line.includes("Simulating workers crash")) {
        interrupted = true;
        process.kill(child.pid ?? 0, "SIGINT");
      }
    });
    expect(interrupted).toBe(true);
    expect(run.code).toBe(130);
    await new Promise((r) => setTimeout(r, 1500));
    const strays = [...encoreProcesses()].filter(([pid]) => !before.has(pid));
    expect(strays).toEqual([]);
  });
});
