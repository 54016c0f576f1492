import { writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { ELECT_LEADERLESS, parseQueueNames, setEnvCall } from "../../src/broker/local-broker.js";
import { waitForStomp } from "../../src/broker/stomp-probe.js";
import { SETTINGS } from "../../src/config/settings.js";
import type { Logger } from "../../src/log/logger.js";
import {
  type BrokerHandle,
  type BrokerProvider,
  EnvironmentError,
  reportLeaderless,
} from "./broker-environment.js";

type Testcontainers = typeof import("testcontainers");
type RuntimeClient = Awaited<ReturnType<Testcontainers["getContainerRuntimeClient"]>>;

/** The official image, on the same RabbitMQ line as Debian's rabbitmq-server that the local broker runs. */
export const OFFICIAL_IMAGE = SETTINGS.brokerImage.default;
/** Built without a registry by scripts/build-rabbitmq-image.sh. */
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
    throw new EnvironmentError(
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
  /** Undefined: the official image where it can be had, else the offline one (see resolveImage). */
  private wanted: string | undefined;
  private image: string | undefined;
  private startupTimeoutMs = 90_000;
  private engineTimeoutMs = 10_000;

  /** Only this image, nothing else in its place. */
  withImage(image: string): this {
    this.wanted = image;
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

  /**
   * Settles which image runs, pulling it if need be, before anything starts: the asked-for image, or by default
   * the official image when the engine has it, else the offline image when the engine has it, else the official
   * image pulled. Throws ImageUnavailableError (naming the image and how to get one) when none can be had.
   */
  async resolveImage(log: Logger): Promise<string> {
    this.image ??= await this.findImage(log);
    return this.image;
  }

  private async findImage(log: Logger): Promise<string> {
    const tc = await loadTestcontainers();
    const client = await engine(tc, this.engineTimeoutMs);
    const has = (image: string) => client.image.exists(tc.ImageName.fromString(image));
    const candidates = this.wanted ? [this.wanted] : [OFFICIAL_IMAGE, OFFLINE_IMAGE];
    for (const image of candidates) if (await has(image)) return image;
    const [pullable] = candidates;
    log.info(`Broker: pulling ${pullable}`);
    let why = "the pull did not bring it";
    try {
      await client.image.pull(tc.ImageName.fromString(pullable));
    } catch (error) {
      why = (error as Error).message
        .split("\n")[0]
        .replace(/^\(HTTP code \d+\) [a-z ]+ - /, "")
        .trim();
    }
    // A pull can end "successfully" with its error only inside the progress stream: the engine has the last word.
    if (await has(pullable)) return pullable;
    throw new ImageUnavailableError(candidates, why);
  }

  async start(log: Logger): Promise<BrokerHandle> {
    const tc = await loadTestcontainers();
    const client = await engine(tc, this.engineTimeoutMs);
    const image = await this.resolveImage(log);
    await removeOrphans(client, log);

    const started = Date.now();
    const lastLines: string[] = [];
    const container = await new (loopbackPorts(tc, client))(image)
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
        throw new Error(`${image} did not start: ${error.message}${tail}`);
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
      `Broker: container ${image} (${id}) ready in ${((Date.now() - started) / 1000).toFixed(1)}[s] ` +
        `(STOMP ${host}:${stompPort}, management ${container.getMappedPort(MANAGEMENT_PORT)})`,
    );

    let stopping: Promise<void> | undefined;
    // A restart maps the ports anew: the handle reads the current ones.
    let ports = { stomp: stompPort, management: container.getMappedPort(MANAGEMENT_PORT) };
    const docker = client.container.dockerode.getContainer(container.getId());
    const evaluate = async (erlang: string) => {
      const run = await container.exec(["rabbitmqctl", "eval", erlang]);
      if (run.exitCode !== 0) throw new Error(`rabbitmqctl eval in ${id}: ${run.output}`);
      return run.stdout;
    };
    return {
      kind: this.kind,
      image,
      description: `container ${image} (${id})`,
      host,
      get stompPort() {
        return ports.stomp;
      },
      get managementUrl() {
        return `http://${host}:${ports.management}`;
      },
      user: USER,
      password: PASSWORD,
      // No graceful stop: the container and its data are thrown away. Removes it too.
      stop: () => {
        stopping ??= container.stop({ timeout: 0, remove: true }).then(() => undefined);
        return stopping;
      },
      // SIGKILL to the node; the container (its data in it) stays, stopped, for the restart.
      crash: async () => {
        await docker.kill({ signal: "SIGKILL" });
      },
      restart: async () => {
        await docker.start();
        const bound = (await docker.inspect()).NetworkSettings.Ports;
        const mapped = (port: number) => Number(bound[`${port}/tcp`]?.[0]?.HostPort);
        ports = { stomp: mapped(STOMP_PORT), management: mapped(MANAGEMENT_PORT) };
        await waitForStomp(host, ports.stomp, USER, PASSWORD, this.startupTimeoutMs);
        log.info(`Broker: container ${id} restarted (STOMP ${host}:${ports.stomp})`);
        return {
          stompPort: ports.stomp,
          leaderless: reportLeaderless(log, parseQueueNames(await evaluate(ELECT_LEADERLESS))),
        };
      },
      setEnv: async (env) => {
        await evaluate(setEnvCall(env));
      },
      saveLog: async (file) => {
        const raw = await docker.logs({ stdout: true, stderr: true, follow: false });
        await writeFile(file, demuxLogs(raw));
      },
    };
  }
}

/** No RabbitMQ image in the engine, nor one that can be pulled. Its message says how to get one. */
export class ImageUnavailableError extends EnvironmentError {
  constructor(
    images: readonly string[],
    why: string,
    /** One clause for a log line: which images are missing and why the pull failed. */
    readonly reason = `${images.length === 1 ? `${images[0]} is not` : `neither ${images.join(" nor ")} is`} in the Docker engine and ${images[0]} cannot be pulled (${why})`,
  ) {
    const then =
      images.length === 1
        ? `, then set BROKER_IMAGE (or --broker-image) to the image you have`
        : " (at the default BROKER_IMAGE the offline image is then used by itself)";
    super(
      `no RabbitMQ image for the container broker: ${reason}. Get one of two ways: \`docker pull ${images[0]}\` ` +
        `where a registry is reachable, or build ${OFFLINE_IMAGE} with \`bash scripts/build-rabbitmq-image.sh\` ` +
        `(no registry needed)${then}.`,
    );
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

/** The engine's log stream of a container without a TTY: frames of [stream, 0, 0, 0, size (u32 BE)] then size bytes. */
export function demuxLogs(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts);
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
