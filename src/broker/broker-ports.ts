import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePorts } from "./free-port.js";

/** The ports a private node listens on; its node name comes from the STOMP one. */
export interface BrokerPorts {
  stomp: number;
  amqp: number;
  management: number;
  dist: number;
  epmd: number;
}

/**
 * A node kept on a data dir must come back on the same ports: its node name (and so its queues) follows the STOMP
 * port, and the server and workers reconnect to the port they know. The first start picks free ports and writes
 * them to `ports.json` in the dir; later starts read them back. A damaged file is an error that names it.
 */
export async function brokerPorts(dir: string | undefined): Promise<BrokerPorts> {
  const file = dir === undefined ? undefined : join(dir, "ports.json");
  if (file && existsSync(file)) return readPorts(file);
  const [stomp, amqp, management, dist, epmd] = await freePorts(5);
  const ports = { stomp, amqp, management, dist, epmd };
  if (file) writeFileSync(file, `${JSON.stringify(ports)}\n`);
  return ports;
}

function readPorts(file: string): BrokerPorts {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(
      `${file}: not the broker's ports (${(error as Error).message}); delete it to pick new ones`,
    );
  }
  const record: Record<string, unknown> = typeof value === "object" && value !== null ? { ...value } : {};
  const port = (name: keyof BrokerPorts): number => {
    const v = record[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 65535)
      throw new Error(`${file}: "${name}" is not a port (${JSON.stringify(v)}); delete it to pick new ones`);
    return v;
  };
  return {
    stomp: port("stomp"),
    amqp: port("amqp"),
    management: port("management"),
    dist: port("dist"),
    epmd: port("epmd"),
  };
}
