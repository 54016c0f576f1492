import { serverProcessFault } from "./server-process.js";

/** kill -9 of the server mid-song: whatever it ACKed it must have saved first. */
export const serverKill = serverProcessFault(
  "server-kill",
  "SIGKILL",
  "SIGKILL the server; start it again on the same data when healed (after 1 s without `for`)",
  5000,
);
