const ERROR_TEXT_BYTES = 1024;

export interface DecodedFrame {
  /** STOMP command, or "HEARTBEAT" for an EOL (LF or CRLF) seen between frames. */
  command: string;
  /** Only the identifying headers (and any asked for), unescaped; the first occurrence of a repeated one wins. */
  headers: Record<string, string>;
  /** Body length in bytes (never the body itself). 0 for HEARTBEAT. */
  bodyBytes: number;
  /** An ERROR frame's body, its first KiB: the broker's reason, for people and for the proofs that need it. */
  text?: string;
  /** The `at` of the push holding the frame's first byte, and of the push holding its last byte (the NUL). */
  firstAt: number;
  lastAt: number;
  /** Byte offset in this stream of the frame's first byte, and its length including the NUL (or the EOL). */
  offset: number;
  bytes: number;
}

export interface StompDecoderOptions {
  extraHeaders?: readonly string[];
  maxHeaderBytes?: number;
}

const COMMANDS = new Set([
  "CONNECT",
  "STOMP",
  "CONNECTED",
  "SUBSCRIBE",
  "UNSUBSCRIBE",
  "SEND",
  "MESSAGE",
  "ACK",
  "NACK",
  "RECEIPT",
  "ERROR",
  "DISCONNECT",
  "BEGIN",
  "COMMIT",
  "ABORT",
]);

/** STOMP 1.2 leaves the headers of these two unescaped, for 1.0 brokers and clients. */
const UNESCAPED_COMMANDS = new Set(["CONNECT", "CONNECTED"]);

const IDENTIFYING_HEADERS = [
  "message-id",
  "ack",
  "id",
  "subscription",
  "destination",
  "receipt",
  "receipt-id",
  "job-id",
  "music-id",
  "chunk-index",
  "encore-type",
  "requeue",
  "redelivered",
  "x-delivery-count",
  "heart-beat",
  "content-length",
  "message",
  // What a poison job or malformed result copies from a real job, and the mark of what the harness injected.
  "chunk-count",
  "start",
  "end",
  "context-start",
  "context-end",
  "engine",
  "epoch",
  "attempt",
  "published-at",
  "x-queue-type",
  "content-type",
  "persistent",
  "x-harness-injected",
  // The failure count a worker puts on a job it sends back: for a person reading the wire, not for a verdict.
  "x-encore-failures",
];

const ESCAPES: Record<string, string> = { r: "\r", n: "\n", c: ":", "\\": "\\" };

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

type State =
  /** Between frames: an EOL is a heart-beat, anything else starts a frame. */
  | "idle"
  /** A CR between frames, waiting for its LF. */
  | "heartbeat-cr"
  /** Buffering the command line and headers up to the blank line. */
  | "headers"
  /** Counting off a content-length body. */
  | "counted-body"
  /** After a content-length body, where the NUL must be. */
  | "nul"
  /** A body without content-length, which runs to the first NUL. */
  | "scanned-body"
  | "failed";

/**
 * Decodes the STOMP 1.2 frames of one direction of one connection, as the bytes go by. Only the header section
 * of a frame is ever buffered: a body is skipped by counting (content-length) or by a native NUL search, so a
 * 60 MB body costs no copy. Bytes it cannot make sense of stop the decoding, never the caller.
 */
export class StompDecoder {
  private state: State = "idle";
  private readonly wanted: ReadonlySet<string>;
  private readonly maxHeaderBytes: number;
  private failure: string | undefined;
  private total = 0;

  private frameOffset = 0;
  private frameFirstAt = 0;
  private headerParts: Buffer[] = [];
  private headerBytes = 0;
  /** Bytes of the header line being read so far, and its first byte (a lone CR before LF makes it blank). */
  private lineBytes = 0;
  private lineFirstByte = 0;
  private command = "";
  private headers: Record<string, string> = {};
  private bodyBytes = 0;
  private bodyLeft = 0;
  private errorText: Buffer[] = [];

  constructor(
    private readonly onFrame: (frame: DecodedFrame) => void,
    options: StompDecoderOptions = {},
  ) {
    this.wanted = new Set([...IDENTIFYING_HEADERS, ...(options.extraHeaders ?? [])]);
    this.maxHeaderBytes = options.maxHeaderBytes ?? 64 * 1024;
  }

  get error(): string | undefined {
    return this.failure;
  }

  get totalBytes(): number {
    return this.total;
  }

  get pendingBytes(): number {
    return this.state === "idle" ? 0 : this.total - this.frameOffset;
  }

  /** Feeds the next bytes of the stream, at monotonic time `at` (ms). Throws only what onFrame throws. */
  push(chunk: Buffer, at: number): void {
    const base = this.total;
    this.total += chunk.length;
    let pos = 0;
    while (pos < chunk.length && this.state !== "failed") {
      switch (this.state) {
        case "idle":
          pos = this.betweenFrames(chunk, pos, base, at);
          break;
        case "heartbeat-cr":
          pos = this.heartbeatLf(chunk, pos, base, at);
          break;
        case "headers":
          pos = this.headerSection(chunk, pos);
          break;
        case "counted-body":
          pos = this.countedBody(chunk, pos);
          break;
        case "nul":
          pos = this.nulAfterBody(chunk, pos, base, at);
          break;
        case "scanned-body":
          pos = this.scannedBody(chunk, pos, base, at);
          break;
      }
    }
  }

  private betweenFrames(chunk: Buffer, pos: number, base: number, at: number): number {
    const byte = chunk[pos];
    if (byte === LF) {
      this.emitHeartbeat(base + pos, at, at, 1);
      return pos + 1;
    }
    this.frameOffset = base + pos;
    this.frameFirstAt = at;
    if (byte === CR) {
      this.state = "heartbeat-cr";
      return pos + 1;
    }
    this.state = "headers";
    this.headerParts = [];
    this.headerBytes = 0;
    this.lineBytes = 0;
    return pos;
  }

  private heartbeatLf(chunk: Buffer, pos: number, base: number, at: number): number {
    if (chunk[pos] !== LF) {
      this.fail("a CR between frames is not followed by LF");
      return pos;
    }
    this.state = "idle";
    this.emitHeartbeat(this.frameOffset, this.frameFirstAt, at, base + pos + 1 - this.frameOffset);
    return pos + 1;
  }

  private headerSection(chunk: Buffer, start: number): number {
    let pos = start;
    for (;;) {
      const lf = chunk.indexOf(LF, pos);
      if (lf === -1) {
        this.addLine(chunk, pos, chunk.length);
        return this.keepHeaderBytes(chunk, start, chunk.length);
      }
      const blank = this.lineBytes + (lf - pos) === 0 || this.addLine(chunk, pos, lf) === CR;
      pos = lf + 1;
      this.lineBytes = 0;
      if (blank) {
        const end = this.keepHeaderBytes(chunk, start, pos);
        if (this.state === "headers") this.endOfHeaders();
        return end;
      }
    }
  }

  /** Counts the bytes before an LF into the current line; returns the line's only byte if it has one. */
  private addLine(chunk: Buffer, from: number, to: number): number | undefined {
    if (this.lineBytes === 0 && to > from) this.lineFirstByte = chunk[from];
    this.lineBytes += to - from;
    return this.lineBytes === 1 ? this.lineFirstByte : undefined;
  }

  private keepHeaderBytes(chunk: Buffer, from: number, to: number): number {
    this.headerBytes += to - from;
    if (this.headerBytes > this.maxHeaderBytes) {
      this.fail(`a header section is over ${this.maxHeaderBytes} bytes`);
      return to;
    }
    // A copy, so that the caller may reuse its buffer and a big chunk is not kept alive for a few bytes.
    this.headerParts.push(Buffer.from(chunk.subarray(from, to)));
    return to;
  }

  private endOfHeaders(): void {
    const lines = Buffer.concat(this.headerParts, this.headerBytes).toString("utf8").split("\n");
    this.headerParts = [];
    const [command, ...headerLines] = lines.slice(0, -2).map((line) => line.replace(/\r$/, ""));
    if (!COMMANDS.has(command)) {
      this.fail(`unknown command ${JSON.stringify(command.slice(0, 40))}`);
      return;
    }
    this.command = command;
    this.headers = {};
    const decode = UNESCAPED_COMMANDS.has(command) ? (text: string) => text : unescapeHeader;
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      if (colon === -1) continue; // not a header, but it does not move a frame boundary
      const name = decode(line.slice(0, colon));
      if (this.wanted.has(name) && !Object.hasOwn(this.headers, name)) {
        this.headers[name] = decode(line.slice(colon + 1));
      }
    }
    this.bodyBytes = 0;
    this.errorText = [];
    const length = this.headers["content-length"];
    if (length === undefined) {
      this.state = "scanned-body";
      return;
    }
    if (!/^\d{1,15}$/.test(length)) {
      this.fail(`bad content-length ${JSON.stringify(length.slice(0, 40))}`);
      return;
    }
    this.bodyBytes = Number(length);
    this.bodyLeft = this.bodyBytes;
    this.state = this.bodyLeft === 0 ? "nul" : "counted-body";
  }

  private countedBody(chunk: Buffer, pos: number): number {
    const taken = Math.min(this.bodyLeft, chunk.length - pos);
    this.keepErrorText(chunk.subarray(pos, pos + taken));
    this.bodyLeft -= taken;
    if (this.bodyLeft === 0) this.state = "nul";
    return pos + taken;
  }

  private nulAfterBody(chunk: Buffer, pos: number, base: number, at: number): number {
    if (chunk[pos] !== NUL) {
      this.fail(`no NUL after a ${this.command} body of content-length`);
      return pos;
    }
    this.emitFrame(base + pos, at);
    return pos + 1;
  }

  private scannedBody(chunk: Buffer, pos: number, base: number, at: number): number {
    const nul = chunk.indexOf(NUL, pos);
    if (nul === -1) {
      this.bodyBytes += chunk.length - pos;
      this.keepErrorText(chunk.subarray(pos));
      return chunk.length;
    }
    this.bodyBytes += nul - pos;
    this.keepErrorText(chunk.subarray(pos, nul));
    this.emitFrame(base + nul, at);
    return nul + 1;
  }

  private keepErrorText(part: Buffer): void {
    const kept = this.errorText.reduce((n, b) => n + b.length, 0);
    if (this.command === "ERROR" && kept < ERROR_TEXT_BYTES)
      this.errorText.push(Buffer.from(part.subarray(0, ERROR_TEXT_BYTES - kept)));
  }

  private emitFrame(nulOffset: number, at: number): void {
    this.state = "idle";
    this.onFrame({
      command: this.command,
      headers: this.headers,
      bodyBytes: this.bodyBytes,
      ...(this.command === "ERROR" ? { text: Buffer.concat(this.errorText).toString("utf8") } : {}),
      firstAt: this.frameFirstAt,
      lastAt: at,
      offset: this.frameOffset,
      bytes: nulOffset + 1 - this.frameOffset,
    });
  }

  private emitHeartbeat(offset: number, firstAt: number, lastAt: number, bytes: number): void {
    this.onFrame({ command: "HEARTBEAT", headers: {}, bodyBytes: 0, firstAt, lastAt, offset, bytes });
  }

  /** Stops decoding for good: past a frame boundary it cannot find, every later byte is guesswork. */
  private fail(reason: string): void {
    this.failure = `${reason} (frame at byte ${this.frameOffset})`;
    this.state = "failed";
    this.headerParts = [];
  }
}

/** STOMP 1.2 escapes; an undefined one (a fatal error to a broker) is kept as it was sent. */
function unescapeHeader(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\([rnc\\])/g, (_, code: string) => ESCAPES[code]);
}
