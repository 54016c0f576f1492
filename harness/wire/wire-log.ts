import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import type { HostPort } from "../toxiproxy/address.js";
import { type BeforeFrame, type ConnectionCounter, type WireEvent, WireTap } from "./wire-tap.js";

/**
 * The events of several taps, one JSON object per line (wire.jsonl). A tap sees every frame of every
 * connection, so lines go through a buffered stream rather than a write per line; close() flushes it.
 */
export class WireLog {
  private readonly stream: WriteStream;
  private readonly taps: WireTap[] = [];
  private connections = 0;
  /** One numbering for all this log's taps, so that a connection number names one connection in the file. */
  private readonly counter: ConnectionCounter = { next: () => ++this.connections };
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: "a" });
    this.stream.on("error", (error) => {
      this.failure ??= error;
    });
  }

  private readonly listeners: Array<(event: WireEvent) => void> = [];
  /** Every frame before it is passed on. */
  onBefore: BeforeFrame | undefined;

  readonly record = (event: WireEvent): void => {
    this.stream.write(`${JSON.stringify(event)}\n`);
    for (const listener of this.listeners) listener(event);
  };

  /** Every event from now on as recorded, in order (a frame: after it was passed on). */
  listen(listener: (event: WireEvent) => void): void {
    this.listeners.push(listener);
  }

  /** A tap whose events go to this log (its connections' open events naming `node`, if given); close() stops it. */
  async tap(link: string, upstream: HostPort, node?: string): Promise<WireTap> {
    const tap = await WireTap.start(
      link,
      upstream,
      this.record,
      this.counter,
      (f) => this.onBefore?.(f),
      node,
    );
    this.taps.push(tap);
    return tap;
  }

  /** The broker came back elsewhere: every tap's new connections go there. */
  retarget(upstream: HostPort): void {
    for (const tap of this.taps) tap.retarget(upstream);
  }

  /** Stops the taps (their last close events included), then resolves once every line is in the file. */
  async close(): Promise<void> {
    await Promise.all(this.taps.map((tap) => tap.stop()));
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    if (this.failure) throw this.failure;
  }
}

export interface WireLogContents {
  events: WireEvent[];
  /** Lines that are not wire events, as "line N: why: the start of it". A torn last line is normal after a crash. */
  torn: string[];
}

export function readWireLog(path: string): WireLogContents {
  const lines = readFileSync(path, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const events: WireEvent[] = [];
  const torn: string[] = [];
  lines.forEach((line, index) => {
    const event = parseLine(line);
    if (typeof event === "string") torn.push(`line ${index + 1}: ${event}: ${line.slice(0, 80)}`);
    else events.push(event);
  });
  return { events, torn };
}

/** The event, or why the line is not one. */
function parseLine(line: string): WireEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not JSON";
  }
  return isWireEvent(value) ? value : "not a wire event";
}

const DIRECTIONS: readonly unknown[] = ["to-broker", "from-broker"];
const CLOSE_HOWS: readonly unknown[] = ["end", "error", "destroy"];

const isCount = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
const isTime = (value: unknown) => typeof value === "number" && Number.isFinite(value);

function isWireEvent(value: unknown): value is WireEvent {
  if (typeof value !== "object" || value === null) return false;
  if (!("kind" in value && "link" in value && "connection" in value && "at" in value)) return false;
  if (typeof value.link !== "string" || !isCount(value.connection) || !isTime(value.at)) return false;
  switch (value.kind) {
    case "open":
      return !("node" in value) || typeof value.node === "string";
    case "close":
      return (
        "direction" in value &&
        DIRECTIONS.includes(value.direction) &&
        "how" in value &&
        CLOSE_HOWS.includes(value.how) &&
        "pendingBytes" in value &&
        isCount(value.pendingBytes) &&
        (!("decodeError" in value) || typeof value.decodeError === "string")
      );
    case "frame":
      return (
        "direction" in value &&
        DIRECTIONS.includes(value.direction) &&
        "firstAt" in value &&
        isTime(value.firstAt) &&
        "command" in value &&
        typeof value.command === "string" &&
        "headers" in value &&
        isStringRecord(value.headers) &&
        "bodyBytes" in value &&
        isCount(value.bodyBytes) &&
        (!("text" in value) || typeof value.text === "string")
      );
    default:
      return false;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === "string")
  );
}
