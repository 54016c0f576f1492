import { describe, expect, it } from "vitest";
import { MessageBody } from "../../src/stomp/message-body.js";

const bytes = (...values: number[]) => Buffer.from(values);

function collect(contentLength: string | undefined, chunks: Buffer[]): Buffer {
  const body = new MessageBody(contentLength);
  for (const chunk of chunks) body.add(chunk);
  return body.end();
}

describe("a MESSAGE body streamed in chunks", () => {
  const chunks = [bytes(1, 2, 3), bytes(4), bytes(5, 6)];
  const all = bytes(1, 2, 3, 4, 5, 6);

  it("is the chunks in order when the declared length is right", () => {
    expect(collect("6", chunks)).toEqual(all);
  });

  it("is the chunks in order without a declared length, or with one that is not a length", () => {
    for (const declared of [undefined, "", "six", "-1", "2.5"])
      expect(collect(declared, chunks)).toEqual(all);
  });

  it("keeps every byte when the chunks run past the declared length, wherever they cross it", () => {
    for (const declared of ["0", "2", "3", "4", "5"]) expect(collect(declared, chunks)).toEqual(all);
  });

  it("is only what arrived when fewer bytes came than declared", () => {
    expect(collect("10", chunks)).toEqual(all);
    expect(collect("0", [])).toEqual(Buffer.alloc(0));
  });
});
