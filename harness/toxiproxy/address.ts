import { isIPv4, isIPv6 } from "node:net";
import { ApiError } from "./api-error.js";

export interface HostPort {
  host: string;
  port: number;
}

/** "host:port" or "[v6]:port", as Go's net package writes and reads them. */
export function parseHostPort(address: string): HostPort | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}

export const formatHostPort = ({ host, port }: HostPort): string =>
  isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;

/** This workplace allows loopback traffic only, so a proxy or the API never listens anywhere else. */
export function loopbackListen(listen: string): HostPort {
  const address = parseHostPort(listen);
  if (!address) throw new ApiError(`listen address "${listen}" is not host:port`, 400);
  // Go listens on the IPv4 address of a name that has both.
  const host = address.host === "localhost" ? "127.0.0.1" : address.host;
  if (!((isIPv4(host) && host.startsWith("127.")) || host === "::1"))
    throw new ApiError(
      `listen address "${listen}" is not on loopback; only 127.0.0.0/8 and ::1 are allowed`,
      400,
    );
  return { host, port: address.port };
}
