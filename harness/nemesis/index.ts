import { freeze } from "./freeze.js";
import { kill } from "./kill.js";
import type { Nemesis } from "./nemesis.js";

/** Every fault the schedule can name. Network faults (Toxiproxy) join here as files of their own. */
export const NEMESES: Readonly<Record<string, Nemesis>> = Object.fromEntries(
  [kill, freeze].map((n) => [n.name, n]),
);
