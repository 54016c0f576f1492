import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { brokerFixture } from "../support/broker-fixture.js";
import { type OpenedPage, openUrlInChromium, SCREENSHOTS } from "../support/chromium.js";
import { swallowJobs } from "../support/swallow-jobs.js";
import { TestCluster } from "../support/test-cluster.js";

const fx = brokerFixture("web-page");
const SONG_SECONDS = 6;
let night: string;
let tagged: string;

beforeAll(() => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  night = makeSong(join(fx.dir, "Night Drive.mp3"), SONG_SECONDS);
  tagged = makeSong(join(fx.dir, "track01.mp3"), SONG_SECONDS, { title: "Tagged Title", artist: "The Band" });
});

async function cluster(overrides: Parameters<typeof TestCluster.start>[1] = {}): Promise<TestCluster> {
  const started = await TestCluster.start(fx.broker, overrides);
  fx.defer(() => started.stop());
  return started;
}

async function open(url: string): Promise<OpenedPage> {
  const opened = await openUrlInChromium(url);
  fx.defer(() => opened.close());
  return opened;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `web-${name}.png`), fullPage: true });
const text = (page: Page, testid: string) => page.getByTestId(testid).textContent();
const WAIT = { timeout: 60_000 };

/** Uploads through the file chooser, as a user does. */
async function upload(page: Page, file: string): Promise<void> {
  await page.getByTestId("upload-input").setInputFiles(file);
  await page.getByTestId("upload-button").click();
}

async function waitDone(page: Page): Promise<void> {
  await page.getByTestId("song-status").filter({ hasText: "Done — 100 %" }).waitFor(WAIT);
}

describe("the web page against a real cluster", () => {
  it("uploads by file chooser under the file's name, processes to 100 %, plays with a known length, seeks and downloads", async () => {
    const c = await cluster();
    await c.startWorkers(2);
    const { page } = await open(c.url);
    await upload(page, night);
    await page
      .getByTestId("upload-status")
      .filter({ hasText: "Uploaded “Night Drive” by Unknown." })
      .waitFor(WAIT);
    expect(await page.getByTestId("song-item").allInnerTexts()).toEqual(["Night Drive — Unknown"]);
    expect(await text(page, "song-title")).toBe("Night Drive — Unknown");
    const boxes = page.getByTestId("tracks").locator("input[type=checkbox]");
    expect(await boxes.count()).toBe(4);
    expect(await page.getByTestId("track-vocals").isChecked()).toBe(false);
    await shot(page, "uploaded");

    await page.getByTestId("process-button").click();
    await waitDone(page);
    expect(await page.getByTestId("progress").evaluate((p: HTMLProgressElement) => p.value)).toBe(100);
    expect(await text(page, "mixed")).toBe("Made of: drums, bass, other.");

    // The player knows the length (Content-Length and Range let it read the header and seek).
    const final = page.getByTestId("final-audio");
    await expect
      .poll(() => final.evaluate((a: HTMLAudioElement) => a.duration), WAIT)
      .toBeCloseTo(SONG_SECONDS, 1);
    const seeked = await final.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((resolve) => {
          a.addEventListener("seeked", () => resolve(a.currentTime), { once: true });
          a.currentTime = 4;
        }),
    );
    expect(seeked).toBeCloseTo(4, 0);
    expect(await final.evaluate((a: HTMLAudioElement) => a.seekable.end(0))).toBeGreaterThan(
      SONG_SECONDS - 0.5,
    );
    await final.evaluate((a: HTMLAudioElement) => {
      a.muted = true;
      return a.play();
    });
    await expect
      .poll(() => final.evaluate((a: HTMLAudioElement) => a.currentTime), WAIT)
      .toBeGreaterThan(4.3);
    await shot(page, "done");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("download-drums").click(),
    ]);
    const saved = join(fx.dir, "drums-download.wav");
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    expect(bytes.toString("ascii", 0, 4)).toBe("RIFF");
    expect(bytes.length).toBe(statSync(join(c.dataDir, "music", "1", "out", "drums.wav")).size);
    expect(download.suggestedFilename()).toBe("drums.wav");
  });

  it("names a tagged upload by its tags, refuses a bad file in a sentence, and keeps several songs apart", async () => {
    const c = await cluster();
    await c.startWorkers(1);
    const { page } = await open(c.url);
    await upload(page, tagged);
    await page
      .getByTestId("upload-status")
      .filter({ hasText: "Uploaded “Tagged Title” by The Band." })
      .waitFor(WAIT);
    await page.getByTestId("process-button").click();
    await waitDone(page);

    const bad = join(fx.dir, "notes.mp3");
    writeFileSync(bad, "these are my notes, not a song");
    await upload(page, bad);
    const refused = page.getByTestId("upload-status");
    await refused
      .filter({ hasText: "notes.mp3 was not accepted: Not an audio file ffmpeg can read" })
      .waitFor(WAIT);
    expect(await refused.getAttribute("class")).toBe("error");
    expect(await page.getByTestId("song-item").count()).toBe(1);
    await shot(page, "bad-file");

    await upload(page, night);
    await page.getByTestId("song-item").nth(1).waitFor(WAIT);
    // Nothing ticked: the page says so and asks nothing of the server.
    for (const name of ["drums", "bass", "vocals", "other"])
      await page.getByTestId(`track-${name}`).uncheck();
    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posts.push(r.url());
    });
    await page.getByTestId("process-button").click();
    expect(await text(page, "choice-error")).toBe("Tick at least one track to make a mix.");
    expect(posts).toEqual([]);
    await shot(page, "nothing-ticked");

    // Back to the first song: its own state, not the second's.
    await page.getByTestId("song-item").first().locator("a").click();
    await waitDone(page);
    expect(await text(page, "song-title")).toBe("Tagged Title — The Band");
    await page.getByTestId("song-item").nth(1).locator("a").click();
    await page.getByTestId("song-status").filter({ hasText: "Uploaded — choose the tracks" }).waitFor(WAIT);
    expect(await text(page, "song-title")).toBe("Night Drive — Unknown");
  });

  it("says when the server is unreachable, backs off, and recovers by itself", async () => {
    const c = await cluster();
    await c.startWorkers(1);
    const { page } = await open(c.url);
    await upload(page, night);
    await page.getByTestId("upload-status").filter({ hasText: "Uploaded" }).waitFor(WAIT);
    // Every poll fails for a while (the page's own requests; the server goes on with the song).
    const polls = /\/music\/\d+$/;
    await page.route(polls, (route) =>
      route.request().method() === "GET" ? route.abort("connectionrefused") : route.continue(),
    );
    await page.getByTestId("process-button").click();
    const banner = page.getByTestId("connection");
    await banner.filter({ hasText: /The server is unreachable — retrying in [248] s\./ }).waitFor(WAIT);
    await shot(page, "unreachable");
    await c.waitDone(1);
    await page.unroute(polls);
    await waitDone(page);
    expect(await banner.isHidden()).toBe(true);
  });

  it("shows a song that fails, with the server's reason", async () => {
    const c = await cluster({
      splitChunks: "1",
      jobDeadlineMinMs: "1000",
      jobDeadlineFactor: "1",
      jobRetries: "0",
    });
    const consumer = await swallowJobs(fx.broker, c);
    fx.defer(() => consumer.link.close());
    const { page } = await open(c.url);
    await upload(page, night);
    await page.getByTestId("upload-status").filter({ hasText: "Uploaded" }).waitFor(WAIT);
    await page.getByTestId("process-button").click();
    const error = page.getByTestId("song-error");
    await error
      .filter({ hasText: /^The song failed: Job\[\d+\] \(chunk 0\) not done within its deadline/ })
      .waitFor(WAIT);
    expect(await text(page, "song-status")).toBe("Failed");
    await shot(page, "failed");
  });
});
