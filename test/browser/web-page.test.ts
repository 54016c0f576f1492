import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { makeSong } from "../../src/audio/demo-song.js";
import { brokerFixture } from "../support/broker-fixture.js";
import { type OpenedPage, openUrlInChromium, SCREENSHOTS } from "../support/chromium.js";
import { swallowJobs } from "../support/swallow-jobs.js";
import { TestCluster, type Upload } from "../support/test-cluster.js";

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
// Generous: two cores shared by the browser, the server, the workers and the broker.
const WAIT = { timeout: 60_000 };

/** A song's card: every part of a song is looked up inside its own card. */
const card = (page: Page, musicId: number): Locator =>
  page.locator(`[data-testid="song"][data-music-id="${musicId}"]`);
const text = async (where: Locator, testid: string) => (await where.getByTestId(testid).textContent()) ?? "";

/** Uploads through the file chooser, as a user does. */
async function upload(page: Page, file: string): Promise<void> {
  await page.getByTestId("upload-input").setInputFiles(file);
  await page.getByTestId("upload-button").click();
}

async function uploaded(page: Page, message: string): Promise<void> {
  await page.getByTestId("upload-status").filter({ hasText: message }).waitFor(WAIT);
}

async function waitStatus(song: Locator, status: string): Promise<void> {
  await song.getByTestId("song-status").filter({ hasText: status }).waitFor(WAIT);
}

const waitDone = (song: Locator) => waitStatus(song, "Done — 100 %");

async function songsOnServer(c: TestCluster): Promise<Upload[]> {
  return (await c.api<Upload[]>("/music")).body;
}

/** A page on `c` with two songs uploaded through it: Night Drive (id 1) and Tagged Title (id 2). */
async function openWithTwoSongs(c: TestCluster): Promise<Page> {
  const { page } = await open(c.url);
  await upload(page, night);
  await uploaded(page, "Uploaded “Night Drive” by Unknown.");
  await upload(page, tagged);
  await uploaded(page, "Uploaded “Tagged Title” by The Band.");
  return page;
}

describe("the web page against a real cluster", () => {
  it("uploads by file chooser under the file's name, reaches 100 %, plays with a known length, seeks, downloads and remixes", async () => {
    const c = await cluster();
    await c.startWorkers(2);
    const { page } = await open(c.url);
    expect(await page.getByTestId("songs-empty").isVisible()).toBe(true);
    await upload(page, night);
    await uploaded(page, "Uploaded “Night Drive” by Unknown.");
    const [stored] = await songsOnServer(c);
    expect(stored?.name).toBe("Night Drive");
    const song = card(page, 1);
    expect(await page.getByTestId("song").count()).toBe(1);
    expect(await page.getByTestId("songs-empty").isHidden()).toBe(true);
    expect(await text(song, "song-title")).toBe("Night Drive — Unknown");
    expect(await song.getByTestId("tracks").locator("label").allInnerTexts()).toEqual([
      "drums",
      "bass",
      "vocals",
      "other",
    ]);
    expect(await song.getByTestId("track-vocals").isChecked()).toBe(false);
    await waitStatus(song, "Uploaded — choose the tracks and make the mix");
    await shot(page, "uploaded");

    await song.getByTestId("process-button").click();
    await waitDone(song);
    expect(await song.getByTestId("progress").evaluate((p: HTMLProgressElement) => p.value)).toBe(100);
    expect(await text(song, "mixed")).toBe("Made of: drums, bass, other.");

    // The player knows the length and can seek: the download answers with Content-Length and honours Range.
    const final = song.getByTestId("final-audio");
    await expect
      .poll(() => final.evaluate((a: HTMLAudioElement) => a.duration), WAIT)
      .toBeCloseTo(SONG_SECONDS, 1);
    expect(await final.evaluate((a: HTMLAudioElement) => a.seekable.end(0))).toBeGreaterThan(
      SONG_SECONDS - 0.5,
    );
    const seeked = await final.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((resolve) => {
          a.addEventListener("seeked", () => resolve(a.currentTime), { once: true });
          a.currentTime = 4;
        }),
    );
    expect(seeked).toBeCloseTo(4, 0);
    await final.evaluate((a: HTMLAudioElement) => {
      a.muted = true;
      return a.play();
    });
    await expect
      .poll(() => final.evaluate((a: HTMLAudioElement) => a.currentTime), WAIT)
      .toBeGreaterThan(4.3);
    const drums = song.getByTestId("track-audio-drums");
    await expect
      .poll(() => drums.evaluate((a: HTMLAudioElement) => a.duration), WAIT)
      .toBeCloseTo(SONG_SECONDS, 1);
    await shot(page, "done");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      song.getByTestId("download-drums").click(),
    ]);
    const saved = join(fx.dir, "drums-download.wav");
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    expect(bytes.toString("ascii", 0, 4)).toBe("RIFF");
    expect(bytes.toString("ascii", 8, 12)).toBe("WAVE");
    expect(bytes.length).toBe(statSync(join(c.dataDir, "music", "1", "out", "drums.wav")).size);
    expect(download.suggestedFilename()).toBe("Night Drive - drums.wav");

    // A remix of the finished song: the card shows the new choice and its link serves the new file, not a cached one.
    await song.getByTestId("track-vocals").check();
    await song.getByTestId("process-button").click();
    await song.getByTestId("mixed").filter({ hasText: "Made of: drums, bass, vocals, other." }).waitFor(WAIT);
    await waitDone(song);
    const href = await song.getByTestId("download-final").getAttribute("href");
    if (!href) throw new Error("the final mix has no link");
    const served = await page.evaluate(async (url) => {
      const body = await (await fetch(url)).arrayBuffer();
      const digest = await crypto.subtle.digest("SHA-256", body);
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    }, href);
    const onDisk = createHash("sha256")
      .update(readFileSync(join(c.dataDir, "music", "1", "out", "final.wav")))
      .digest("hex");
    expect(served).toBe(onDisk);

    // A fresh page lists the song from GET /music with its state and its choice.
    await page.reload();
    await waitDone(card(page, 1));
    expect(await text(card(page, 1), "mixed")).toBe("Made of: drums, bass, vocals, other.");
    expect(await card(page, 1).getByTestId("track-vocals").isChecked()).toBe(true);
    await shot(page, "remixed-reloaded");
  });

  it("names a tagged upload by its tags, and says in sentences what was refused or could not be sent", async () => {
    // Nothing here needs a song processed: no workers.
    const c = await cluster();
    const { page } = await open(c.url);
    await upload(page, tagged);
    await uploaded(page, "Uploaded “Tagged Title” by The Band.");
    const song = card(page, 1);
    expect(await text(song, "song-title")).toBe("Tagged Title — The Band");

    const bad = join(fx.dir, "notes.mp3");
    writeFileSync(bad, "these are my notes, not a song");
    await upload(page, bad);
    const status = page.getByTestId("upload-status");
    await status
      .filter({ hasText: "notes.mp3 was not accepted: Not an audio file ffmpeg can read" })
      .waitFor(WAIT);
    expect(await status.getAttribute("class")).toBe("error");
    expect(await page.getByTestId("song").count()).toBe(1);
    expect((await songsOnServer(c)).length).toBe(1);
    await shot(page, "bad-file");

    // The upload never reaches the server: the page names the file it could not send.
    const uploads = "**/music";
    await page.route(uploads, (route) =>
      route.request().method() === "POST" ? route.abort("connectionrefused") : route.continue(),
    );
    await upload(page, night);
    await uploaded(
      page,
      "Could not reach the server to upload Night Drive.mp3. Check the connection and try again.",
    );
    await page.unroute(uploads);
    expect(await page.getByTestId("song").count()).toBe(1);
    expect((await songsOnServer(c)).length).toBe(1);
    await shot(page, "upload-unreachable");

    // Nothing ticked: the page says so and asks nothing of the server.
    for (const name of ["drums", "bass", "vocals", "other"])
      await song.getByTestId(`track-${name}`).uncheck();
    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posts.push(r.url());
    });
    await song.getByTestId("process-button").click();
    await song.getByTestId("choice-error").filter({ hasText: /./ }).waitFor(WAIT);
    expect(await text(song, "choice-error")).toBe("Tick at least one track to make a mix.");
    expect(posts).toEqual([]);
    await waitStatus(song, "Uploaded — choose the tracks");
    await shot(page, "nothing-ticked");
  });

  it("keeps several songs apart: each its own choice, progress and players", async () => {
    const c = await cluster();
    // One worker: the second song waits behind the first, so both are in flight at once.
    await c.startWorkers(1);
    const page = await openWithTwoSongs(c);
    const first = card(page, 1);
    const second = card(page, 2);
    expect(await page.getByTestId("song").count()).toBe(2);
    expect(await text(first, "song-title")).toBe("Night Drive — Unknown");
    expect(await text(second, "song-title")).toBe("Tagged Title — The Band");

    await first.getByTestId("process-button").click();
    await second.getByTestId("track-drums").uncheck();
    await second.getByTestId("process-button").click();
    await waitDone(first);
    await waitDone(second);
    expect(await text(first, "mixed")).toBe("Made of: drums, bass, other.");
    expect(await text(second, "mixed")).toBe("Made of: bass, other.");
    expect(await first.getByTestId("final-audio").getAttribute("src")).toMatch(/^\/music\/1\/final\.wav/);
    expect(await second.getByTestId("final-audio").getAttribute("src")).toMatch(/^\/music\/2\/final\.wav/);
    await expect
      .poll(() => second.getByTestId("final-audio").evaluate((a: HTMLAudioElement) => a.duration), WAIT)
      .toBeCloseTo(SONG_SECONDS, 1);
    expect((await c.api<{ mixed: number[] }>("/music/2")).body.mixed).toHaveLength(2);
    await shot(page, "several-songs");
  });

  it("says when the server is unreachable, backs off, and recovers by itself", async () => {
    const c = await cluster();
    await c.startWorkers(1);
    const page = await openWithTwoSongs(c);
    await waitStatus(card(page, 2), "Uploaded");

    // Every poll fails for a while (the page's own requests; the server goes on with the songs).
    const polls = /\/music\/\d+$/;
    await page.route(polls, (route) =>
      route.request().method() === "GET" ? route.abort("connectionrefused") : route.continue(),
    );
    const failedPolls: number[] = [];
    page.on("requestfailed", (r) => {
      if (r.method() === "GET" && r.url().endsWith("/music/2")) failedPolls.push(Date.now());
    });
    await card(page, 1).getByTestId("process-button").click();
    await card(page, 2).getByTestId("process-button").click();
    const banner = page.getByTestId("connection");
    await banner.filter({ hasText: /^The server is unreachable — retrying in \d+ s\.$/ }).waitFor(WAIT);
    await shot(page, "unreachable");

    // Backing off: the waits between failed polls grow (1, 2, 4 s).
    await expect.poll(() => failedPolls.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
    const gaps = failedPolls.slice(1, 4).map((t, i) => t - (failedPolls[i] ?? t));
    expect(gaps[0]).toBeGreaterThan(700);
    expect(gaps[1]).toBeGreaterThan(1.5 * (gaps[0] ?? 0));
    expect(gaps[2]).toBeGreaterThan(1.5 * (gaps[1] ?? 0));
    expect(await banner.isVisible()).toBe(true);
    await c.waitDone(1);
    await c.waitDone(2);
    expect(await card(page, 1).getByTestId("song-status").textContent()).not.toContain("Done");

    await page.unroute(polls);
    await waitDone(card(page, 1));
    await waitDone(card(page, 2));
    await banner.waitFor({ state: "hidden", ...WAIT });
    expect(await banner.textContent()).toBe("");
    await shot(page, "recovered");
  });

  it("shows a song that fails, with the server's reason", async () => {
    // Its one job is taken and never answered, with no retry and a 1 s deadline: the server fails the song.
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
    await uploaded(page, "Uploaded");
    const song = card(page, 1);
    await song.getByTestId("process-button").click();
    await song
      .getByTestId("song-error")
      .filter({ hasText: /^The song failed: Job\[\d+\] \(chunk 0\) not done within its deadline/ })
      .waitFor(WAIT);
    expect(await text(song, "song-status")).toBe("Failed");
    expect(await song.getByTestId("result").locator("audio").count()).toBe(0);
    expect(consumer.ids.length).toBeGreaterThan(0);
    await shot(page, "failed");
  });
});
