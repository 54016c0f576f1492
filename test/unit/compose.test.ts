import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadSettings, SETTINGS } from "../../src/config/settings.js";

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
}

const root = new URL("../../", import.meta.url);
const compose = parse(readFileSync(new URL("docker-compose.yml", root), "utf8")) as {
  services: Record<string, Service>;
};
const proxies = JSON.parse(readFileSync(new URL("docker/toxiproxy.json", root), "utf8")) as {
  name: string;
  listen: string;
  upstream: string;
}[];
const services = compose.services;
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
});
