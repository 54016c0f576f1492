import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportHtml } from "../../harness/report/html-report.js";
import { type OpenedPage, openInChromium, SCREENSHOTS } from "../support/chromium.js";
import { CRASH_AND_FREEZE, judgeSynthetic, writeCrashAndFreezeRun } from "./synthetic-run.js";

describe("report.html in headless Chromium", () => {
  let work: string;
  let opened: OpenedPage;
  let page: Page;
  let requests: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "encore-report-browser-"));
    const file = join(work, "report.html");
    writeFileSync(file, reportHtml(await judgeSynthetic(writeCrashAndFreezeRun)));
    opened = await openInChromium(file);
    page = opened.page;
    requests = opened.requests;
  });

  afterAll(async () => {
    await opened?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("shows the Gantt chart with a bar per delivery, the crash and freeze marks and an arrow per redelivery", async () => {
    const chart = page.locator("#gantt svg.gantt");
    await expect.poll(() => chart.isVisible()).toBe(true);
    expect(await chart.locator(".gantt-lane").count()).toBe(CRASH_AND_FREEZE.workers.length);
    expect(await chart.locator(".gantt-bar").count()).toBe(CRASH_AND_FREEZE.deliveries);
    expect(await chart.locator(".gantt-crash").count()).toBe(CRASH_AND_FREEZE.kills);
    expect(await chart.locator(".gantt-freeze").count()).toBe(CRASH_AND_FREEZE.freezes);
    expect(await chart.locator(".gantt-handover").count()).toBe(CRASH_AND_FREEZE.handovers);
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(800);
    // Every bar is drawn, inside the chart.
    for (const bar of await chart.locator(".gantt-bar rect").all()) {
      const b = await bar.boundingBox();
      expect(b && box && b.width > 0 && b.x >= box.x && b.x + b.width <= box.x + box.width + 1).toBe(true);
    }

    mkdirSync(SCREENSHOTS, { recursive: true });
    const gantt = join(SCREENSHOTS, "report-gantt.png");
    const whole = join(SCREENSHOTS, "report-page.png");
    await page.locator("#gantt").screenshot({ path: gantt });
    await page.screenshot({ path: whole, fullPage: true });
    console.log(`screenshots: ${gantt}, ${whole}`);
  });

  it("opens a witness and the timeline when asked, and fetched nothing", async () => {
    const witness = page.locator('[data-check="output-oracle"] details pre');
    expect(await witness.isVisible()).toBe(false);
    await page.locator('[data-check="output-oracle"] summary').click();
    await expect.poll(() => witness.isVisible()).toBe(true);
    expect(await witness.textContent()).toContain('"error"');
    const timeline = page.locator("#timeline pre");
    await page.locator("#timeline summary").click();
    await expect.poll(() => timeline.isVisible()).toBe(true);
    expect(await timeline.textContent()).toContain("<synthetic> & friends");
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
  });
});
