import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const SCREENSHOTS = fileURLToPath(new URL("../../reports/screenshots/", import.meta.url));

/** Debian's Chromium, with nothing it would fetch or start on its own: reports must render offline. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface OpenedPage {
  page: Page;
  /** Every URL the page asked for. */
  requests: string[];
  close(): Promise<void>;
}

/** Opens a local HTML file in a fresh headless Chromium profile. */
export function openInChromium(file: string): Promise<OpenedPage> {
  return openUrlInChromium(pathToFileURL(file).href);
}

/** Opens a page (a file: or a local server's http: URL) in a fresh headless Chromium profile. */
export async function openUrlInChromium(url: string): Promise<OpenedPage> {
  const profile = mkdtempSync(join(tmpdir(), "encore-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    // Players may start without a click: the tests play audio the way a user would after one.
    args: [...CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url);
  return {
    page,
    requests,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
