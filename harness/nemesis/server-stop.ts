import { serverProcessFault } from "./server-process.js";

/** A graceful stop (SIGTERM) and restart, as a deploy does it. */
export const serverStop = serverProcessFault(
  "server-stop",
  "SIGTERM",
  "SIGTERM the server (a graceful stop); start it again on the same data when healed",
  15_000,
);
