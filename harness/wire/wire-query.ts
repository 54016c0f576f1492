import type { WireDirection, WireEvent, WireRecord } from "./wire-tap.js";

export type WireFrame = Extract<WireEvent, { kind: "frame" }>;

export const isFrame = (e: WireEvent): e is WireFrame => e.kind === "frame";

/** Frames of one link (and direction) whose first byte arrived in [from, to). */
export function framesOn(
  wire: readonly WireEvent[],
  link: string,
  direction: WireDirection,
  from: number,
  to = Number.POSITIVE_INFINITY,
): WireFrame[] {
  return wire.filter(
    (e): e is WireFrame =>
      isFrame(e) && e.link === link && e.direction === direction && e.firstAt >= from && e.firstAt < to,
  );
}

/**
 * Each connection's life on the tap: when it opened, when either of its directions first closed, and whether the
 * client said DISCONNECT first (a connection that closes without it was killed, cut or dropped).
 */
export interface ConnectionLife {
  link: string;
  connection: number;
  openedAt: number;
  closedAt?: number;
  disconnected: boolean;
  /** The cluster node it went to ("node-2"), when the broker is a cluster. */
  node?: string;
}

export function connectionLives(wire: readonly WireEvent[]): Map<number, ConnectionLife> {
  const lives = new Map<number, ConnectionLife>();
  for (const e of wire) {
    if (e.kind === "open")
      lives.set(e.connection, {
        link: e.link,
        connection: e.connection,
        openedAt: e.at,
        disconnected: false,
        ...(e.node === undefined ? {} : { node: e.node }),
      });
    else if (e.kind === "frame" && e.command === "DISCONNECT" && e.direction === "to-broker") {
      const life = lives.get(e.connection);
      if (life) life.disconnected = true;
    } else if (e.kind === "close") {
      const life = lives.get(e.connection);
      if (life && life.closedAt === undefined) life.closedAt = e.at;
    }
  }
  return lives;
}

/** The connections open at time t: the link's, or every link's when none is named. */
export function openAt(wire: readonly WireEvent[], t: number, link?: string): ConnectionLife[] {
  return [...connectionLives(wire).values()].filter(
    (c) =>
      (link === undefined || c.link === link) &&
      c.openedAt <= t &&
      (c.closedAt === undefined || c.closedAt > t),
  );
}

/** Body bytes per second a frame moved at, first byte to last, in KB/s (1 KB = 1000 bytes). */
export const frameRateKBps = (f: WireRecord) => f.bodyBytes / Math.max(1, f.at - f.firstAt);
