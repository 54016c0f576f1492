import { existsSync, readFileSync } from "node:fs";
import { isJsonObject as isObject } from "../json-object.js";
import { resolveScenario } from "./resolve-scenario.js";
import type { Scenario } from "./scenario.js";
import { ScenarioError } from "./validate-scenario.js";

/** A list of scenarios run as one gate: one summary, one JUnit file, one exit code (the budget is a setting). */
export interface Suite {
  name: string;
  description: string;
  scenarios: { name: string; seed: number; scenario: Scenario }[];
}

/** Reads and checks a suite file, naming the first bad field and its value; every scenario is resolved. */
export function readSuite(file: string): Suite {
  if (!existsSync(file)) throw new ScenarioError(`no suite file "${file}"`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ScenarioError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(raw)) throw new ScenarioError(`${file}: expected a JSON object`);
  if (!Array.isArray(raw.scenarios) || raw.scenarios.length === 0)
    throw new ScenarioError(`${file}: scenarios is ${JSON.stringify(raw.scenarios)}: expected a list`);
  const scenarios = raw.scenarios.map((entry: unknown, i) => {
    const where = `${file}: scenarios[${i}]`;
    if (!isObject(entry) || typeof entry.name !== "string")
      throw new ScenarioError(`${where} is ${JSON.stringify(entry)}: expected {"name": …, "seed": N}`);
    const seed = entry.seed;
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 1 || seed > 999_999_999)
      throw new ScenarioError(
        `${where}.seed is ${JSON.stringify(seed)}: expected a whole number, 1 to 999999999`,
      );
    return { name: entry.name, seed, scenario: resolveScenario(entry.name) };
  });
  const names = scenarios.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new ScenarioError(`${file}: scenario "${twice}" is listed twice`);
  return {
    name: typeof raw.name === "string" ? raw.name : file,
    description: typeof raw.description === "string" ? raw.description : "",
    scenarios,
  };
}
