import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSong } from "../src/audio/demo-song.js";
import { EmbeddedCluster } from "../src/cluster/embedded-cluster.js";

/**
 * Wall time of songs through the embedded cluster with tracing off, then with every span written to a file,
 * printed as a ratio (on / off). `npx tsx bench/tracing-overhead.ts [songs] [seconds]`.
 */
const songs = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 60);
const work = mkdtempSync(join(tmpdir(), "encore-bench-"));
const song = readFileSync(makeSong(join(work, "song.mp3"), seconds));
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

async function timeSongs(label: string): Promise<number[]> {
  const cluster = await EmbeddedCluster.start(
    ["--data-dir", join(work, `data-${label}`), "--port", "8123"],
    quiet,
    () => {},
  );
  const times: number[] = [];
  try {
    for (let i = 0; i < songs; i++) {
      const res = await fetch(`${cluster.url}/music`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: song,
      });
      const music = (await res.json()) as { music_id: number; tracks: { track_id: number }[] };
      const started = performance.now();
      await fetch(`${cluster.url}/music/${music.music_id}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(music.tracks.map((t) => t.track_id)),
      });
      for (;;) {
        const state = (await (await fetch(`${cluster.url}/music/${music.music_id}`)).json()) as {
          progress: number;
        };
        if (state.progress === 100) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      times.push(performance.now() - started);
    }
  } finally {
    await cluster.stop();
  }
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const off = await timeSongs("off");
process.env.TRACES_FILE = join(work, "spans.jsonl");
const on = await timeSongs("on");
const spans = readFileSync(process.env.TRACES_FILE, "utf8").split("\n").filter(Boolean).length;
process.stdout.write(
  `tracing off: median ${(median(off) / 1000).toFixed(2)} s per ${seconds}-s song (${off.map((t) => (t / 1000).toFixed(2)).join(", ")})\n` +
    `tracing on (file exporter, ${spans} spans): median ${(median(on) / 1000).toFixed(2)} s (${on.map((t) => (t / 1000).toFixed(2)).join(", ")})\n` +
    `ratio on/off: ${(median(on) / median(off)).toFixed(3)}\n`,
);
rmSync(work, { recursive: true, force: true });
process.exit(0);
