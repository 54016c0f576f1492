import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NEMESES } from "../nemesis/index.js";
import { FAMILIES } from "./families/index.js";
import type { Scenario } from "./scenario.js";
import { ScenarioError, validateScenario } from "./validate-scenario.js";

const SCENARIO_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

/** A scenario file in scenarios/ wins over a parametric name; anything else is a usage error. */
export function resolveScenario(name: string): Scenario {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new ScenarioError(`bad scenario name "${name}" (see --list)`);
  const file = join(SCENARIO_DIR, `${name}.json`);
  const faults = Object.keys(NEMESES);
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new ScenarioError(`scenarios/${name}.json is not valid JSON: ${(error as Error).message}`);
    }
    return validateScenario({ name, ...(raw as object) }, `scenarios/${name}.json`, faults);
  }
  for (const family of FAMILIES) {
    const match = family.pattern.exec(name);
    if (!match) continue;
    const numbers = match.slice(1).map(Number);
    return validateScenario(family.build(name, numbers), name, faults);
  }
  throw new ScenarioError(
    `unknown scenario "${name}": not a file in scenarios/ nor one of ${FAMILIES.map((f) => f.form).join(", ")} (see --list)`,
  );
}

export function listScenarios(): { name: string; description: string }[] {
  const files = readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const name = f.replace(/\.json$/, "");
      try {
        return { name, description: resolveScenario(name).description };
      } catch (error) {
        return { name, description: `(invalid: ${(error as Error).message})` };
      }
    });
  return [...files, ...FAMILIES.map((f) => ({ name: f.form, description: f.summary }))];
}
