import type { Logger } from "../../src/log/logger.js";

/**
 * One node of a RabbitMQ cluster, "node-1", "node-2", … in the order given. The faults a provider can do to it
 * are there; the others are absent (an external cluster's nodes can only be cut off, through the proxies).
 */
export interface BrokerNode {
  readonly label: string;
  /** RabbitMQ's name for it, as the management API gives a quorum queue's leader and members. */
  readonly name: string;
  readonly host: string;
  readonly stompPort: number;
  readonly managementUrl: string;
  /** Its running processes' group (beam.smp and the rest), for /proc to show a freeze; undefined when down. */
  readonly groupId?: number;
  kill9?(): Promise<void>;
  /** Boots it again on its data; resolves once its STOMP answers. */
  restart?(): Promise<void>;
  /** SIGSTOP / SIGCONT of its processes; false when none was running. */
  freeze?(): boolean;
  resume?(): boolean;
}

/** A running RabbitMQ with STOMP and the management API, however it was provided. */
export interface BrokerHandle {
  /** Which provider ran it: printed at start and written to the report. */
  readonly kind: "container" | "local" | "external" | "cluster";
  /**
   * The nodes, when it is a cluster; host, stompPort and managementUrl are then those of the first node the
   * harness has not itself killed or frozen.
   */
  readonly nodes?: readonly BrokerNode[];
  /** One line for people, e.g. "container encore/rabbitmq-offline:3.10 (a1b2c3d4)". */
  readonly description: string;
  /** The container image that ran, where one did. */
  readonly image?: string;
  readonly host: string;
  readonly stompPort: number;
  /** e.g. http://127.0.0.1:15672 */
  readonly managementUrl: string;
  readonly user: string;
  readonly password: string;
  /** Stops and removes whatever the provider started (nothing for external). Safe to call twice. */
  stop(): Promise<void>;
  /** kill -9 of the broker, its data kept (where the provider can). */
  crash?(): Promise<void>;
  /**
   * Boots it again on the same data; says where STOMP listens now, and which quorum queues came back without a
   * leader and had to be woken by an election (RabbitMQ 3.10's defect: their content may be gone).
   */
  restart?(): Promise<{ stompPort: number; leaderless: string[] }>;
  /** Sets the rabbit application's settings (consumer_timeout, …) for the channels opened from now on. */
  setEnv?(env: Readonly<Record<string, number>>): Promise<void>;
  /** Writes the broker's own log so far (every boot of it) to file: what a person reads when the broker misbehaved. */
  saveLog?(file: string): Promise<void>;
}

export interface BrokerProvider {
  readonly kind: BrokerHandle["kind"];
  start(log: Logger): Promise<BrokerHandle>;
}

/** Says which quorum queues a restart brought back leaderless: the harness's doing, and a doubt on the run. */
export function reportLeaderless(log: Logger, queues: string[]): string[] {
  if (queues.length > 0)
    log.warn(
      `Broker: quorum queue ${queues.join(", ")} came back from the restart without a leader (a RabbitMQ 3.10 ` +
        "defect after a kill -9 soon after a queue is created); the harness called an election, and what the " +
        "queue held may be lost",
    );
  return queues;
}

/** The environment cannot be had as asked (no engine, no image, a bad URL): exit 2 with this message alone. */
export class EnvironmentError extends Error {}
