import { runMain } from "../../src/cli/run-main.js";
import { parseFlags, SettingError } from "../../src/config/settings.js";
import { formatHostPort, loopbackListen } from "./address.js";
import { TOXIPROXY_VERSION } from "./api-routes.js";
import { EmbeddedToxiproxy } from "./embedded-toxiproxy.js";

/**
 *   node --import tsx harness/toxiproxy/cli.ts [--host 127.0.0.1] [--port 8474] [--seed N]
 * A stand-in for toxiproxy-server (none can be installed here). Exit 2 on a bad flag; Ctrl-C stops it.
 */
runMain(async () => {
  const flags = parseFlags(process.argv.slice(2));
  for (const flag of flags.keys())
    if (!["host", "port", "seed"].includes(flag))
      throw new SettingError(`unknown flag --${flag} (known: --host, --port, --seed)`);
  const host = flags.get("host") ?? "127.0.0.1";
  try {
    loopbackListen(formatHostPort({ host, port: 0 }));
  } catch {
    throw new SettingError(
      `bad flag --host="${host}": expected a loopback address (127.0.0.0/8, ::1, localhost)`,
    );
  }
  const port = wholeNumber("port", flags.get("port") ?? "8474", 65535);
  const seedFlag = flags.get("seed");
  const seed = seedFlag === undefined ? undefined : wholeNumber("seed", seedFlag, 2 ** 31 - 1);
  const server = await EmbeddedToxiproxy.start({ host, port, seed });
  process.stdout.write(
    `Toxiproxy ${TOXIPROXY_VERSION} API (embedded) on ${server.url}, seed ${server.seed}; Ctrl-C stops it\n`,
  );
  return () => server.stop();
});

function wholeNumber(name: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) > max)
    throw new SettingError(`bad flag --${name}="${raw}": expected a whole number from 0 to ${max}`);
  return Number(raw);
}
