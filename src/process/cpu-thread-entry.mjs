// Node 20 does not run `--import tsx` in worker threads (nodejs/node#47747): the thread registers tsx itself.
import { register } from "tsx/esm/api";

register();
await import("./cpu-thread-main.ts");
