import type { Logger } from "../../src/log/logger.js";
import { type BrokerProvider, EnvironmentError } from "./broker-environment.js";
import {
  dockerEngineAnswers,
  ImageUnavailableError,
  OFFICIAL_IMAGE,
  RabbitMqContainerBroker,
} from "./container-broker.js";
import { ExternalBrokerProvider } from "./external-broker-provider.js";
import { LocalBrokerProvider } from "./local-broker-provider.js";
import { LocalClusterProvider } from "./local-cluster-provider.js";

export type BrokerChoice = "auto" | "container" | "local" | "external" | "cluster";

/**
 * `auto`: the container when a Docker engine answers and a RabbitMQ image can be had, else the local node.
 * `container` never falls back. Says which and why. `image` is BROKER_IMAGE (or --broker-image); at its
 * default the offline image may stand in for the official one.
 */
export async function pickBroker(
  choice: BrokerChoice,
  opts: { url?: string; image?: string },
  log: Logger,
): Promise<{ provider: BrokerProvider; why: string }> {
  if (choice === "external") {
    if (!opts.url)
      throw new EnvironmentError("--broker external needs --broker-url stomp://user:password@host:port");
    return { provider: new ExternalBrokerProvider(opts.url), why: "asked for" };
  }
  if (choice === "local") return { provider: new LocalBrokerProvider(), why: "asked for" };
  if (choice === "cluster") return { provider: new LocalClusterProvider(), why: "asked for" };
  const container = new RabbitMqContainerBroker();
  if (opts.image && opts.image !== OFFICIAL_IMAGE) container.withImage(opts.image);
  if (choice === "container") {
    // Settled now, so a missing image fails before anything starts, and never falls back.
    await container.resolveImage(log);
    return { provider: container, why: "asked for" };
  }
  if (!(await dockerEngineAnswers()))
    return { provider: new LocalBrokerProvider(), why: "auto: no Docker engine answers" };
  try {
    const image = await container.resolveImage(log);
    return { provider: container, why: `auto: a Docker engine answers and has ${image}` };
  } catch (error) {
    if (!(error instanceof ImageUnavailableError)) throw error;
    return {
      provider: new LocalBrokerProvider(),
      why: `auto: a Docker engine answers, but ${error.reason}; using the local rabbitmq-server instead`,
    };
  }
}
