/** A toxic marks the end of its stream in band, so the marker queues behind the data it follows. */
export const END = Symbol("end of stream");
/** Unlike END (a half-close), CLOSE shuts the whole connection when it reaches the end of the chain. */
export const CLOSE = Symbol("close connection");
export type StreamItem = Buffer | typeof END | typeof CLOSE;

export type Direction = "upstream" | "downstream";

/** Every attribute of every Toxiproxy toxic is a whole number; a missing one is 0, as in Go. */
export type Attributes = Record<string, number>;

/** What a toxic may do to the stream it sits on. */
export interface PipeContext {
  /** Hands an item to the next toxic in the chain, or to the destination socket. */
  forward(item: StreamItem): void;
  /** Reports bytes thrown away, so the source can be read again (back-pressure counts bytes in the chain). */
  drop(bytes: number): void;
  /** Sends an RST to both the client and the upstream. */
  reset(): void;
  random(): number;
}

/**
 * One toxic acting on one direction of one connection, like a Toxiproxy ToxicStub. It is created when the
 * toxic meets the connection (when either of them appears) and lives until the toxic or the connection goes.
 */
export interface ToxicPipe {
  /** The toxic starts (or, after an update, restarts) acting on this stream. */
  start?(): void;
  push(item: StreamItem): void;
  /** Stop acting: hand on at once, in order, whatever is held, and cancel timers. start() may follow. */
  interrupt(): void;
  /** The toxic was deleted while it acted on this stream (after interrupt()). */
  removed?(): void;
  /** The connection is gone: cancel timers and hand on nothing. */
  dispose(): void;
}

export interface ToxicKind<A extends Attributes = Attributes> {
  readonly type: string;
  /** Names and defaults of the attributes; other attributes in a request are ignored, as in Toxiproxy. */
  readonly defaults: Readonly<A>;
  /** `attributes` is read live, so an update reaches pipes already running. */
  pipe(context: PipeContext, attributes: () => Readonly<A>): ToxicPipe;
}

/** Types the attributes of one toxic kind while letting the registry hold kinds of every shape. */
export const defineToxic = <A extends Attributes>(kind: ToxicKind<A>): ToxicKind => kind;
