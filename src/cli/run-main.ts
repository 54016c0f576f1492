import { SettingError } from "../config/settings.js";
import { ExplainedError } from "../log/explained-error.js";
import { watchParent } from "../process/parent-watch.js";

/**
 * The shape of every CLI: run `main`, which returns its stop function; stop on SIGINT/SIGTERM or when the
 * parent dies. A bad setting exits 2 with a message naming it; any other failure exits 1, never silently.
 */
export function runMain(main: () => Promise<() => Promise<void>>): void {
  let stopping = false;
  const fail = (error: unknown) => {
    const usage = error instanceof SettingError;
    const explained = usage || error instanceof ExplainedError;
    process.stderr.write(
      `${usage ? "" : "fatal: "}${explained ? (error as Error).message : ((error as Error).stack ?? error)}\n`,
    );
    process.exit(usage ? 2 : 1);
  };
  process.on("unhandledRejection", fail);
  process.on("uncaughtException", fail);
  main().then((stop) => {
    const shutdown = () => {
      if (stopping) return;
      stopping = true;
      stop().then(
        () => process.exit(0),
        (error) => fail(error),
      );
    };
    process.on("SIGINT", shutdown);
    process.on("SIGTERM", shutdown);
    watchParent(shutdown);
  }, fail);
}
