import { LocalBroker } from "../broker/local-broker.js";
import { loadSettings, settingsEnv } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { forwardLines } from "../process/forward-output.js";
import { spawnEntry, stopChild } from "../process/spawn-entry.js";
import { WorkerFleet } from "../worker/fleet.js";
import { runMain } from "./run-main.js";

/** `npm start`: a private RabbitMQ, the server and the workers as real processes; Ctrl-C stops all of it. */
runMain(async () => {
  const log = createLogger();
  const argv = process.argv.slice(2);
  const first = loadSettings(argv);
  const broker = await LocalBroker.start({ log });
  const settings = loadSettings(argv, process.env, {
    brokerHost: broker.host,
    brokerStompPort: String(broker.stompPort),
    // The original splits into one chunk per worker unless told otherwise.
    splitChunks: process.env.SPLIT_CHUNKS ?? String(first.workersHealthy + first.workersUnhealthy || 1),
  });
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const server = spawnEntry("server", [], { ...process.env, ...settingsEnv(settings) } as Record<
    string,
    string
  >);
  forwardLines(server.stdout, write);
  forwardLines(server.stderr, write);
  const fleet = new WorkerFleet(settings, log, write);
  fleet.start();
  const url = `http://${settings.serverHost}:${settings.serverPort}`;
  await waitForHealth(url, () => server.exitCode !== null);
  log.info(`Encore is running: open ${url} (management UI ${broker.managementUrl}); Ctrl-C stops everything`);
  return async () => {
    log.info("Stopping Encore...");
    await fleet.stop();
    await stopChild(server);
    await broker.stop();
  };
});

async function waitForHealth(url: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("the server exited during start-up (see its lines above)");
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer on ${url} within 60 s`);
}
