import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** True when this module is the build's JavaScript in dist/, false under tsx or the test runner. */
export const RUNS_COMPILED = import.meta.url.endsWith(".js");

/** The folder holding package.json: the same answer from src/ and from dist/src/, whose depths differ. */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();

/** A path inside the project, written from its root (`fromRoot("src/web/index.html")`). */
export const fromRoot = (...parts: string[]) => join(PROJECT_ROOT, ...parts);

/** Where `npm run build` puts the JavaScript of a TypeScript file of the project. */
export const compiledPath = (source: string) =>
  join(PROJECT_ROOT, "dist", relative(PROJECT_ROOT, source)).replace(/\.ts$/, ".js");
