import { describe, expect, it } from "vitest";
import {
  type DecodedFrame,
  StompDecoder,
  type StompDecoderOptions,
} from "../../harness/wire/stomp-decoder.js";

function decoder(options?: StompDecoderOptions): { frames: DecodedFrame[]; decoder: StompDecoder } {
  const frames: DecodedFrame[] = [];
  return { frames, decoder: new StompDecoder((frame) => frames.push(frame), options) };
}

/** Decodes `data` pushed in pieces cut at `cuts`, the i-th piece at time i. */
function decodeCut(data: Buffer, cuts: number[], options?: StompDecoderOptions): DecodedFrame[] {
  const { frames, decoder: d } = decoder(options);
  const bounds = [0, ...cuts, data.length];
  for (let i = 0; i + 1 < bounds.length; i++) d.push(data.subarray(bounds[i], bounds[i + 1]), i);
  expect(d.error).toBeUndefined();
  expect(d.pendingBytes).toBe(0);
  expect(d.totalBytes).toBe(data.length);
  return frames;
}

const withoutTimes = ({ firstAt: _first, lastAt: _last, ...rest }: DecodedFrame) => rest;

const bodyWithNuls = Buffer.from([0x61, 0x00, 0x00, 0x0a, 0x62, 0x00, 0x0d, 0x0a, 0x63]);

/** Several frames and heart-beats, written the ways STOMP 1.2 allows: each part is one frame or one EOL. */
const parts = [
  Buffer.from("CONNECT\naccept-version:1.2\nheart-beat:10000,10000\nreceipt:a\\cb\n\n\0"),
  Buffer.from("\n"),
  Buffer.from("\r\n"),
  Buffer.concat([
    Buffer.from(
      `SEND\r\ndestination:/queue/jobs\r\njob\\cid:7\r\ncontent-length:${bodyWithNuls.length}\r\nreceipt:r-1\r\n\r\n`,
    ),
    bodyWithNuls,
    Buffer.from("\0"),
  ]),
  Buffer.from("\n"),
  Buffer.from(
    "MESSAGE\nsubscription:0\nmessage-id:T_1\\c2\ndestination:/queue/a\\nb\\\\c\n" +
      "ack:ack-9\nmessage-id:ignored\nredelivered:true\nx-delivery-count:2\nfoo:bar\n\nhello\0",
  ),
  Buffer.from("ACK\nid:ack-9\n\n\0"),
];
const stream = Buffer.concat(parts);

const decoded: Pick<DecodedFrame, "command" | "headers" | "bodyBytes">[] = [
  // CONNECT is never escaped: "\c" stays as sent.
  { command: "CONNECT", headers: { "heart-beat": "10000,10000", receipt: "a\\cb" }, bodyBytes: 0 },
  { command: "HEARTBEAT", headers: {}, bodyBytes: 0 },
  { command: "HEARTBEAT", headers: {}, bodyBytes: 0 },
  {
    command: "SEND",
    headers: { destination: "/queue/jobs", "job:id": "7", "content-length": "9", receipt: "r-1" },
    bodyBytes: 9,
  },
  { command: "HEARTBEAT", headers: {}, bodyBytes: 0 },
  {
    command: "MESSAGE",
    headers: {
      subscription: "0",
      "message-id": "T_1:2",
      destination: "/queue/a\nb\\c",
      ack: "ack-9",
      redelivered: "true",
      "x-delivery-count": "2",
    },
    bodyBytes: 5,
  },
  { command: "ACK", headers: { id: "ack-9" }, bodyBytes: 0 },
];
const offsets = parts.map((_, i) => Buffer.concat(parts.slice(0, i)).length);
const expected = decoded.map((frame, i) => ({ ...frame, offset: offsets[i], bytes: parts[i].length }));

describe("StompDecoder", () => {
  const options = { extraHeaders: ["job:id"] };

  it("decodes frames, heart-beats, escapes, CRLF lines and a content-length body holding NULs", () => {
    const frames = decodeCut(stream, [], options);
    expect(frames.map(withoutTimes)).toEqual(expected);
  });

  it("gives the same frames wherever the stream is cut, with the times of the right reads", () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const frames = decodeCut(stream, [cut], options);
      expect(frames.map(withoutTimes)).toEqual(expected);
      for (const frame of frames) {
        expect(frame.firstAt).toBe(frame.offset < cut ? 0 : 1);
        expect(frame.lastAt).toBe(frame.offset + frame.bytes - 1 < cut ? 0 : 1);
      }
    }
  });

  it("gives the same frames when every byte comes in a read of its own", () => {
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    const frames = decodeCut(stream, cuts, options);
    expect(frames.map(withoutTimes)).toEqual(expected);
    for (const frame of frames) {
      expect(frame.firstAt).toBe(frame.offset);
      expect(frame.lastAt).toBe(frame.offset + frame.bytes - 1);
    }
  });

  it("gives the same frames cut in three at many places", () => {
    for (let first = 1; first < stream.length; first += 7) {
      for (let second = first + 1; second < stream.length; second += 11) {
        expect(decodeCut(stream, [first, second], options).map(withoutTimes)).toEqual(expected);
      }
    }
  });

  it("knows every STOMP 1.2 command", () => {
    const commands = [
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
    ];
    const data = Buffer.from(commands.map((command) => `${command}\nreceipt-id:${command}\n\n\0`).join(""));
    const frames = decodeCut(data, []);
    expect(frames.map((frame) => frame.command)).toEqual(commands);
    expect(frames.map((frame) => frame.headers["receipt-id"])).toEqual(commands);
  });

  it("keeps the identifying headers only, the first of a repeated one, and the ERROR message", () => {
    const data = Buffer.from(
      "ERROR\nmessage:bad\\cthing\nmessage:later\nversion:1.2\nmusic-id:3\nreceipt-id:9\n\nDetails\0",
    );
    const [frame] = decodeCut(data, []);
    expect(frame.headers).toEqual({ message: "bad:thing", "music-id": "3", "receipt-id": "9" });
    expect(frame.bodyBytes).toBe(7);
    expect(frame.text).toBe("Details");
  });

  it("keeps the first KiB of an ERROR's body, however it is cut, and no other frame's", () => {
    const reason = "Delivery acknowledgement on channel 1 timed out. ".repeat(30);
    const counted = Buffer.from(
      `ERROR\nmessage:precondition_failed\ncontent-length:${reason.length}\n\n${reason}\0`,
    );
    const scanned = Buffer.from(`ERROR\nmessage:x\n\n${reason}\0MESSAGE\nmessage-id:1\n\nbody\0`);
    const cuts = [5, 60, 200, 900];
    const frames = [...decodeCut(counted, cuts), ...decodeCut(scanned, cuts)];
    expect(frames.map((f) => f.text)).toEqual([reason.slice(0, 1024), reason.slice(0, 1024), undefined]);
  });

  it("reads a content-length 0 body and a body without content-length up to the first NUL", () => {
    const data = Buffer.from("SEND\ncontent-length:0\n\n\0MESSAGE\nmessage-id:1\n\nab\ncd\0");
    const frames = decodeCut(data, []);
    expect(frames.map(({ command, bodyBytes }) => [command, bodyBytes])).toEqual([
      ["SEND", 0],
      ["MESSAGE", 5],
    ]);
  });

  it("skips a 60 MB content-length body fed in 64 KiB reads", () => {
    const size = 60 * 1024 * 1024;
    const header = Buffer.from(`MESSAGE\nmessage-id:big\ncontent-length:${size}\n\n`);
    const data = Buffer.concat([header, Buffer.alloc(size), Buffer.from("\0RECEIPT\nreceipt-id:x\n\n\0")]);
    const { frames, decoder: d } = decoder();
    const read = 64 * 1024;
    for (let start = 0, at = 0; start < data.length; start += read, at++) {
      d.push(data.subarray(start, start + read), at);
    }
    expect(d.error).toBeUndefined();
    expect(d.pendingBytes).toBe(0);
    expect(frames.map(withoutTimes)).toEqual([
      {
        command: "MESSAGE",
        headers: { "message-id": "big", "content-length": String(size) },
        bodyBytes: size,
        offset: 0,
        bytes: header.length + size + 1,
      },
      {
        command: "RECEIPT",
        headers: { "receipt-id": "x" },
        bodyBytes: 0,
        offset: header.length + size + 1,
        bytes: 23,
      },
    ]);
    expect(frames[0].firstAt).toBe(0);
    expect(frames[0].lastAt).toBe(Math.floor((header.length + size) / read));
  });

  it("counts the bytes of a torn frame as pending", () => {
    const { frames, decoder: d } = decoder();
    d.push(Buffer.from("RECEIPT\nreceipt-id:1\n\n\0\r"), 0);
    expect(d.pendingBytes).toBe(1);
    d.push(Buffer.from("\nMESSAGE\nmessage-id:5\n\nhal"), 1);
    expect(frames.map((frame) => frame.command)).toEqual(["RECEIPT", "HEARTBEAT"]);
    expect(d.pendingBytes).toBe("MESSAGE\nmessage-id:5\n\nhal".length);
    d.push(Buffer.from("f"), 2);
    expect(d.pendingBytes).toBe("MESSAGE\nmessage-id:5\n\nhalf".length);
    d.push(Buffer.from("\0"), 3);
    expect(d.pendingBytes).toBe(0);
    expect(frames.at(-1)).toMatchObject({ command: "MESSAGE", bodyBytes: 4, firstAt: 1, lastAt: 3 });
  });

  it("stops at a header section over the limit, and then only counts bytes", () => {
    const { frames, decoder: d } = decoder({ maxHeaderBytes: 100 });
    const reads = [`SEND\nx:${"y".repeat(60)}\n`, `z:${"y".repeat(60)}\n\n\0`, "RECEIPT\nreceipt-id:1\n\n\0"];
    d.push(Buffer.from(reads[0]), 0);
    expect(d.error).toBeUndefined();
    d.push(Buffer.from(reads[1]), 1);
    expect(d.error).toMatch(/header section is over 100 bytes/);
    d.push(Buffer.from(reads[2]), 2);
    expect(frames).toEqual([]);
    expect(d.totalBytes).toBe(reads.join("").length);
    expect(d.pendingBytes).toBe(d.totalBytes);
  });

  it("accepts a header section of exactly the limit", () => {
    const data = Buffer.from("SEND\nreceipt:1\n\n\0");
    expect(decodeCut(data, [], { maxHeaderBytes: data.length - 1 })).toHaveLength(1);
  });

  it("stops where the NUL after a content-length body is missing", () => {
    const { frames, decoder: d } = decoder();
    d.push(Buffer.from("ACK\nid:1\n\n\0SEND\ncontent-length:3\n\nabcd\0"), 0);
    expect(frames.map((frame) => frame.command)).toEqual(["ACK"]);
    expect(d.error).toMatch(/no NUL after a SEND body/);
    expect(d.error).toMatch(/at byte 11/);
  });

  it.each([
    ["a bad content-length", "SEND\ncontent-length:12a\n\nabc\0", /bad content-length "12a"/],
    ["an unknown command", "HELLO\n\n\0", /unknown command "HELLO"/],
    ["a CR alone between frames", "\rSEND\n\n\0", /CR between frames/],
  ])("stops at %s", (_, text, error) => {
    const { frames, decoder: d } = decoder();
    d.push(Buffer.from(text), 0);
    expect(d.error).toMatch(error);
    expect(frames).toEqual([]);
  });
});
