import { median, runScenario } from "./scenario-runs.js";

/**
 * What the wire taps cost: a scenario run with taps and without (`--wire-tap off`, whose verdict is then
 * unknown), alternating, printed as the ratio of the medians of the song's time (jobs sent → done) and of the
 * whole run's wall time, taps on over taps off.
 *   npx tsx bench/wire-tap-cost.ts <scenario> [pairs=3] [-- extra scenario options]
 */
const [scenario, pairsRaw = "3", ...rest] = process.argv.slice(2);
const extra = rest[0] === "--" ? rest.slice(1) : rest;
if (!scenario) {
  process.stderr.write("usage: npx tsx bench/wire-tap-cost.ts <scenario> [pairs] [-- options]\n");
  process.exit(2);
}
const song = { on: [] as number[], off: [] as number[] };
const wall = { on: [] as number[], off: [] as number[] };
for (let i = 1; i <= Number(pairsRaw); i++) {
  for (const tap of ["on", "off"] as const) {
    // Without taps the verdict is unknown by design: nothing to keep.
    const run = await runScenario([scenario, "--seed", String(i), "--wire-tap", tap, ...extra], false);
    if (run.songMs === null)
      throw new Error(`${scenario} seed ${i} with taps ${tap}: the song did not finish`);
    song[tap].push(run.songMs);
    wall[tap].push(run.wallMs);
    process.stdout.write(
      `seed ${i}, taps ${tap}: song ${run.songMs} ms, run ${run.wallMs} ms (${run.verdict})\n`,
    );
  }
}
const ratio = (x: { on: number[]; off: number[] }) => (median(x.on) / median(x.off)).toFixed(3);
process.stdout.write(
  `${scenario}: song median ${median(song.on)} ms with taps, ${median(song.off)} ms without: ratio ${ratio(song)}; ` +
    `whole run ratio ${ratio(wall)}\n`,
);
