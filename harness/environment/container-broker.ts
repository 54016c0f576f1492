import { hostname } from "node:os";
import { waitForStomp } from "../../src/broker/stomp-probe.js";
import type { Logger } from "../../src/log/logger.js";
import type { BrokerHandle, BrokerProvider } from "./broker-environment.js";

type Testcontainers = typeof import("testcontainers");
type RuntimeClient = Awaited<ReturnType<Testcontainers["getContainerRuntimeClient"]>>;

/** Built by scripts/build-rabbitmq-image.sh; with a registry, `rabbitmq:3-management` works as well. */
export const OFFLINE_IMAGE = "encore/rabbitmq-offline:3.10";
const STOMP_PORT = 61613;
const MANAGEMENT_PORT = 15672;
const USER = "guest";
const PASSWORD = "guest";
const OWNER_PID = "encore.owner-pid";
const OWNER_HOST = "encore.owner-host";

// Written into both images, so the broker is the same whichever one runs. conf.d is read by 3.10 too.
const ENABLED_PLUGINS = "[rabbitmq_management,rabbitmq_stomp].\n";
const ENCORE_CONF = [
  // guest/guest from the host: the connection comes through the engine's port mapping, not loopback.
  "loopback_users = none",
  // Counters fresh enough for the harness to read at the end of a run.
  "collect_statistics_interval = 500",
  // The official management image turns the collector off (conf.d/20-...): the harness needs message_stats.
  "management_agent.disable_metrics_collector = false",
  "",
].join("\n");

/**
 * testcontainers reads these when it first looks for an engine. Ryuk's image cannot be pulled without a
 * registry, and in a machine with /.dockerenv it would otherwise pull alpine to find the host's address.
 */
async function loadTestcontainers(): Promise<Testcontainers> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
  return import("testcontainers");
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function engine(tc: Testcontainers, timeoutMs: number): Promise<RuntimeClient> {
  try {
    return await withTimeout(tc.getContainerRuntimeClient(), timeoutMs, "Docker engine");
  } catch (error) {
    const where = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : "the default socket";
    throw new Error(
      `no Docker engine answered (${where}: ${(error as Error).message}). Start one with ` +
        `\`eval "$(bash scripts/docker-engine.sh up)"\` (as root; it prints the DOCKER_HOST to use), ` +
        "or choose another broker environment (local).",
    );
  }
}

/** True when testcontainers finds an engine within `timeoutMs`: the "auto" environment's test. */
export async function dockerEngineAnswers(timeoutMs = 5000): Promise<boolean> {
  try {
    await engine(await loadTestcontainers(), timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** Without Ryuk nobody removes the container of a harness that crashed: the next start does. */
async function removeOrphans(client: RuntimeClient, log: Logger): Promise<void> {
  const ours = await client.container.dockerode.listContainers({
    all: true,
    filters: { label: [OWNER_PID] },
  });
  for (const info of ours) {
    const pid = Number(info.Labels?.[OWNER_PID]);
    if (!pid || info.Labels?.[OWNER_HOST] !== hostname() || processAlive(pid)) continue;
    log.warn(`Broker: removing container ${info.Id.slice(0, 12)} left by process ${pid}, which is gone`);
    const container = client.container.getById(info.Id);
    await client.container.stop(container, { timeout: 0 }).catch(() => {});
    await client.container.remove(container, { removeVolumes: true }).catch(() => {});
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** RabbitMQ with STOMP and management in a container, through testcontainers. */
export class RabbitMqContainerBroker implements BrokerProvider {
  readonly kind = "container" as const;
  private image = process.env.BROKER_IMAGE || OFFLINE_IMAGE;
  private startupTimeoutMs = 90_000;
  private engineTimeoutMs = 10_000;

  withImage(image: string): this {
    this.image = image;
    return this;
  }

  /** From creating the container to a STOMP CONNECTED. */
  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  /** How long to wait for the engine to answer before giving up. */
  withEngineTimeout(ms: number): this {
    this.engineTimeoutMs = ms;
    return this;
  }

  async start(log: Logger): Promise<BrokerHandle> {
    const tc = await loadTestcontainers();
    const client = await engine(tc, this.engineTimeoutMs);
    await this.checkImage(tc, client, log);
    await removeOrphans(client, log);

    const started = Date.now();
    const lastLines: string[] = [];
    const container = await new (loopbackPorts(tc, client))(this.image)
      .withExposedPorts(STOMP_PORT, MANAGEMENT_PORT)
      .withCopyContentToContainer([
        { content: ENABLED_PLUGINS, target: "/etc/rabbitmq/enabled_plugins", mode: 0o644 },
        { content: ENCORE_CONF, target: "/etc/rabbitmq/conf.d/90-encore.conf", mode: 0o644 },
      ])
      .withLabels({ [OWNER_PID]: String(process.pid), [OWNER_HOST]: hostname() })
      .withLogConsumer((stream) => keepTail(stream, lastLines))
      .withWaitStrategy(tc.Wait.forLogMessage("Server startup complete"))
      .withStartupTimeout(this.startupTimeoutMs)
      .start()
      .catch((error: Error) => {
        const tail = lastLines.length ? `; its last log lines:\n  ${lastLines.join("\n  ")}` : "";
        throw new Error(`${this.image} did not start: ${error.message}${tail}`);
      });

    const reported = container.getHost();
    // Ports are bound on 127.0.0.1 only, and "localhost" may resolve to ::1 first.
    const host = reported === "localhost" ? "127.0.0.1" : reported;
    const stompPort = container.getMappedPort(STOMP_PORT);
    const remaining = Math.max(5000, this.startupTimeoutMs - (Date.now() - started));
    try {
      // The log line says the node booted; only a CONNECTED through the mapped port proves that the STOMP
      // listener and the engine's port forwarding both work.
      await waitForStomp(host, stompPort, USER, PASSWORD, remaining);
    } catch (error) {
      await container.stop().catch(() => {});
      throw error;
    }
    const id = container.getId().slice(0, 12);
    log.info(
      `Broker: container ${this.image} (${id}) ready in ${((Date.now() - started) / 1000).toFixed(1)}[s] ` +
        `(STOMP ${host}:${stompPort}, management ${container.getMappedPort(MANAGEMENT_PORT)})`,
    );

    let stopping: Promise<void> | undefined;
    return {
      kind: this.kind,
      description: `container ${this.image} (${id})`,
      host,
      stompPort,
      managementUrl: `http://${host}:${container.getMappedPort(MANAGEMENT_PORT)}`,
      user: USER,
      password: PASSWORD,
      // No graceful stop: the container and its data are thrown away. Removes it too.
      stop: () => {
        stopping ??= container.stop({ timeout: 0, remove: true }).then(() => undefined);
        return stopping;
      },
    };
  }

  private async checkImage(tc: Testcontainers, client: RuntimeClient, log: Logger): Promise<void> {
    if (await client.image.exists(tc.ImageName.fromString(this.image))) return;
    if (this.image.startsWith("encore/")) {
      const name = this.image === OFFLINE_IMAGE ? "" : `ENCORE_RABBITMQ_IMAGE=${this.image} `;
      throw new Error(
        `image ${this.image} is not in the engine; build it (no registry needed) with ` +
          `\`${name}bash scripts/build-rabbitmq-image.sh\`, or set BROKER_IMAGE to an image you have`,
      );
    }
    log.info(`Broker: pulling ${this.image} (needs a registry)`);
  }
}

/** Docker publishes ports on every interface by default; guest/guest must stay on this machine. */
function loopbackPorts(tc: Testcontainers, client: RuntimeClient): Testcontainers["GenericContainer"] {
  const local = ["localhost", "127.0.0.1", "::1"].includes(client.info.containerRuntime.host);
  if (!local) return tc.GenericContainer;
  return class extends tc.GenericContainer {
    protected override async beforeContainerCreated(): Promise<void> {
      const bindings = (this.hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>;
      for (const list of Object.values(bindings)) for (const binding of list) binding.HostIp = "127.0.0.1";
    }
  };
}

function keepTail(stream: NodeJS.ReadableStream, lines: string[], max = 20): void {
  stream.on("data", (chunk: Buffer | string) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line.trim()) continue;
      lines.push(line.trimEnd());
      if (lines.length > max) lines.shift();
    }
  });
}
