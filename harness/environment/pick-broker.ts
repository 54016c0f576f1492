import type { BrokerProvider } from "./broker-environment.js";
import { dockerEngineAnswers, RabbitMqContainerBroker } from "./container-broker.js";
import { ExternalBrokerProvider } from "./external-broker-provider.js";
import { LocalBrokerProvider } from "./local-broker-provider.js";

export type BrokerChoice = "auto" | "container" | "local" | "external";

/** `auto`: the container when a Docker engine answers, else the local node. Says which and why. */
export async function pickBroker(
  choice: BrokerChoice,
  opts: { url?: string; image?: string },
): Promise<{ provider: BrokerProvider; why: string }> {
  if (choice === "external") {
    if (!opts.url) throw new Error("--broker external needs --broker-url stomp://user:password@host:port");
    return { provider: new ExternalBrokerProvider(opts.url), why: "asked for" };
  }
  const container = () => {
    const broker = new RabbitMqContainerBroker();
    return opts.image ? broker.withImage(opts.image) : broker;
  };
  if (choice === "container") return { provider: container(), why: "asked for" };
  if (choice === "local") return { provider: new LocalBrokerProvider(), why: "asked for" };
  if (await dockerEngineAnswers()) return { provider: container(), why: "auto: a Docker engine answers" };
  return { provider: new LocalBrokerProvider(), why: "auto: no Docker engine answers" };
}
