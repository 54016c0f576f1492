// Compiles the TypeScript of src/, harness/ and bench/ to dist/ file by file (same layout, ESM, source maps),
// so processes start as plain JavaScript: tsx costs each worker about a second and 35 MB at start. Worker entries
// (the product's, the harness's broken variants, the CPU thread) are then bundled with their packages into one
// file each, which the file-by-file output of that entry is replaced by: a dozen of them start at once, and
// resolving and reading OpenTelemetry's hundreds of small files was a third of a worker's start.
// Types are tsc's job (`npm run typecheck`); esbuild only strips them, in well under a second.
//   node scripts/build.mjs [--if-stale]   (--if-stale: only when a source changed, appeared or went away)
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const out = join(root, "dist");
const stamp = join(out, "sources.txt");
// The Docker image holds src/ alone.
const sources = ["src", "harness", "bench"]
  .filter((dir) => existsSync(join(root, dir)))
  .flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .map((file) => join(dir, file)),
  )
  .sort();

const bundled = sources.filter(
  (file) =>
    file === join("src", "cli", "worker.ts") ||
    file === join("src", "process", "cpu-thread-main.ts") ||
    (file.startsWith(join("harness", "faulty")) && file.endsWith("-worker.ts") && !file.includes("run-faulty")),
);
const common = { outdir: out, outbase: root, format: "esm", platform: "node", target: "node20", logLevel: "warning" };

function stale() {
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== sources.join("\n")) return true;
  const built = statSync(stamp).mtimeMs;
  return sources.some((file) => statSync(join(root, file)).mtimeMs > built);
}

if (!process.argv.includes("--if-stale") || stale()) {
  // A file deleted from the source must not live on in the build.
  rmSync(out, { recursive: true, force: true });
  await build({ ...common, entryPoints: sources.map((file) => join(root, file)), sourcemap: "linked" });
  await build({
    ...common,
    entryPoints: bundled.map((file) => join(root, file)),
    bundle: true,
    // Found at run time in node_modules: better-sqlite3 loads its native part next to its own files, and
    // fluent-ffmpeg (the merge's MP3 encoder, on the CPU thread) reads __dirname, which an ES module lacks.
    external: ["better-sqlite3", "fluent-ffmpeg"],
    allowOverwrite: true,
    // Only names and lines: the sources of every package would make the map ten times the size.
    sourcemap: "linked",
    sourcesContent: false,
    // Packages written as CommonJS call require() for Node's own modules, which an ES module lacks.
    banner: { js: "import { createRequire as encoreRequire } from 'node:module'; const require = encoreRequire(import.meta.url);" },
  });
  writeFileSync(stamp, sources.join("\n"));
}
