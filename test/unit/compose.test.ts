import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadSettings, SETTINGS } from "../../src/config/settings.js";

interface Service {
  profiles?: string[];
  hostname?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
}

const root = new URL("../../", import.meta.url);
const compose = parse(readFileSync(new URL("docker-compose.yml", root), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const proxies = JSON.parse(readFileSync(new URL("docker/toxiproxy.json", root), "utf8")) as {
  name: string;
  listen: string;
  upstream: string;
}[];
const services = Object.fromEntries(
  Object.entries(compose.services).filter(([, s]) => s.profiles === undefined),
);
const cluster = Object.fromEntries(
  Object.entries(compose.services).filter(([, s]) => s.profiles?.includes("cluster")),
);
const settingEnvs = new Set(Object.values(SETTINGS).map((s) => s.env));

describe("docker-compose.yml", () => {
  it("has the whole stack", () => {
    expect(Object.keys(services).sort()).toEqual(["jaeger", "rabbitmq", "server", "toxiproxy", "worker"]);
  });

  it.each(["server", "worker"])(
    "%s: every variable is a setting (or OTel's) and the settings module accepts it",
    (name) => {
      const env = services[name].environment ?? {};
      for (const key of Object.keys(env))
        expect(settingEnvs.has(key) || key.startsWith("OTEL_"), key).toBe(true);
      expect(() => loadSettings([], env)).not.toThrow();
    },
  );

  it.each(["server", "worker"])(
    "%s reaches RabbitMQ through its own Toxiproxy proxy, with RabbitMQ's credentials",
    (name) => {
      const env = services[name].environment ?? {};
      const settings = loadSettings([], env);
      expect(settings.brokerHost).toBe("toxiproxy");
      const proxy = proxies.find((p) => p.listen.endsWith(`:${settings.brokerStompPort}`));
      expect(proxy?.name).toBe(name === "server" ? "server" : "workers");
      expect(proxy?.upstream).toBe("rabbitmq:61613");
      expect(settings.brokerUser).toBe(services.rabbitmq.environment?.RABBITMQ_DEFAULT_USER);
      expect(settings.brokerPassword).toBe(services.rabbitmq.environment?.RABBITMQ_DEFAULT_PASS);
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://jaeger:4318");
    },
  );

  it("publishes the server on its SERVER_PORT, and every port on loopback only", () => {
    const settings = loadSettings([], services.server.environment ?? {});
    expect(settings.serverHost).toBe("0.0.0.0");
    expect(services.server.ports).toContain(`127.0.0.1:${settings.serverPort}:${settings.serverPort}`);
    for (const service of Object.values(services)) {
      for (const port of service.ports ?? []) expect(port.startsWith("127.0.0.1:"), port).toBe(true);
    }
  });

  it("enables STOMP on RabbitMQ and OTLP on Jaeger, and mounts the proxy list into Toxiproxy", () => {
    expect(String(services.rabbitmq.command)).toContain("rabbitmq_stomp");
    expect(services.jaeger.environment?.COLLECTOR_OTLP_ENABLED).toBe("true");
    expect(services.toxiproxy.volumes?.some((v) => v.startsWith("./docker/toxiproxy.json:"))).toBe(true);
    expect(services.worker.command).toContain("workers");
  });

  describe("the cluster profile", () => {
    const nodes = ["rabbit-1", "rabbit-2", "rabbit-3"];
    const conf = readFileSync(new URL("docker/rabbitmq-cluster.conf", root), "utf8");

    it("has three RabbitMQ nodes that find each other by name, share one cookie, and are healthy as one", () => {
      expect(Object.keys(cluster).sort()).toEqual(["cluster-server", "cluster-worker", ...nodes]);
      const cookies = new Set<string | undefined>();
      for (const [i, name] of nodes.entries()) {
        const node = cluster[name];
        expect(node.hostname).toBe(name);
        expect(conf).toContain(`cluster_formation.classic_config.nodes.${i + 1} = rabbit@${name}`);
        expect(node.volumes).toContain(
          "./docker/rabbitmq-cluster.conf:/etc/rabbitmq/conf.d/20-cluster.conf:ro",
        );
        expect(String(node.command)).toContain("rabbitmq_stomp");
        expect(node.healthcheck?.test).toEqual([
          "CMD",
          "rabbitmqctl",
          "await_online_nodes",
          "3",
          "--timeout",
          "10",
        ]);
        const env = node.environment ?? {};
        expect(env.RABBITMQ_CTL_ERL_ARGS).toBe(env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS);
        cookies.add(env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS);
      }
      expect(cookies.size).toBe(1);
      expect([...cookies][0]).toMatch(/^-setcookie \S+$/);
    });

    it.each(["cluster-server", "cluster-worker"])(
      "%s is given every node as BROKER_ADDRESSES and starts once all three are one cluster",
      (name) => {
        const env = cluster[name].environment ?? {};
        for (const key of Object.keys(env)) expect(settingEnvs.has(key), key).toBe(true);
        const settings = loadSettings([], env);
        expect(settings.brokerAddresses.map((a) => a.host).sort()).toEqual(nodes);
        expect(new Set(settings.brokerAddresses.map((a) => a.port))).toEqual(new Set([61613]));
        expect(settings.brokerUser).toBe(cluster["rabbit-1"].environment?.RABBITMQ_DEFAULT_USER);
        for (const node of nodes) expect(cluster[name].depends_on?.[node]?.condition).toBe("service_healthy");
      },
    );
  });
});
