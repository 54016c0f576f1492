import { baseline } from "./baseline.js";
import { crash } from "./crash.js";
import type { ScenarioFamily } from "./family.js";
import { freeze } from "./freeze.js";

/** Every parametric family; a new one is a new file listed here. */
export const FAMILIES: readonly ScenarioFamily[] = [baseline, crash, freeze];
