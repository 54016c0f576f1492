import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fromRoot } from "../../src/process/project-paths.js";
import { NEMESES } from "../nemesis/index.js";
import { FAMILIES } from "./families/index.js";
import type { Scenario } from "./scenario.js";
import { ScenarioError, validateScenario } from "./validate-scenario.js";

const SCENARIO_DIR = fromRoot("scenarios");

/** Reads and checks a scenario file; its name is the file's, unless the file names itself. */
function scenarioFile(file: string, name: string, shown: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ScenarioError(`${shown} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null) throw new ScenarioError(`${shown}: expected a JSON object`);
  return validateScenario({ name, ...raw }, shown, NEMESES);
}

/**
 * A path to a .json file, or a name: a scenario file in scenarios/ wins over a parametric name; anything else
 * is a usage error.
 */
export function resolveScenario(name: string): Scenario {
  if (name.endsWith(".json")) {
    if (!existsSync(name)) throw new ScenarioError(`no scenario file "${name}"`);
    return scenarioFile(name, basename(name, ".json"), name);
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new ScenarioError(`bad scenario name "${name}" (see --list)`);
  const file = join(SCENARIO_DIR, `${name}.json`);
  if (existsSync(file)) return scenarioFile(file, name, `scenarios/${name}.json`);
  for (const family of FAMILIES) {
    const match = family.pattern.exec(name);
    if (!match) continue;
    const numbers = match.slice(1).map(Number);
    return validateScenario(family.build(name, numbers), name, NEMESES);
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
