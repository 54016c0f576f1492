import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import {
  describeSchemaError,
  idParams,
  MAX_CHOSEN,
  trackChoice,
  trackParams,
} from "../../src/server/http-schemas.js";

// The same options the app gives Fastify's ajv: no coercion, and the offending value kept for the message.
const ajv = new Ajv({ coerceTypes: false, verbose: true, allErrors: false });
const params = ajv.compile(idParams);
const tracks = ajv.compile(trackParams);
const choice = ajv.compile(trackChoice);

describe("route schemas", () => {
  it.each(["1", "12", "999999999999999"])("id %j is accepted", (id) => {
    expect(params({ id })).toBe(true);
    expect(tracks({ id, track: id })).toBe(true);
  });

  it.each(["0", "01", "0x1", " 1", "1 ", "+1", "-1", "1.0", "1e3", "", "1234567890123456", "١"])(
    "id %j is refused, and the message names it",
    (id) => {
      expect(params({ id })).toBe(false);
      const message = describeSchemaError(params.errors ?? [], "params").message;
      expect(message).toBe(
        `the id in the path must be a whole number written in decimal, such as 12 (got ${JSON.stringify(id)})`,
      );
    },
  );

  it("a track list is a non-empty array of whole numbers, nothing converted", () => {
    expect(choice([1, 2, 4])).toBe(true);
    expect(choice([3])).toBe(true);
    for (const [body, message] of [
      ["1", 'the body must be a JSON array of track ids, such as [1, 2] (got "1")'],
      [1, "the body must be a JSON array of track ids, such as [1, 2] (got 1)"],
      [null, "the body must be a JSON array of track ids, such as [1, 2] (got null)"],
      [{ tracks: [1] }, 'the body must be a JSON array of track ids, such as [1, 2] (got {"tracks":[1]})'],
      [[], "choose at least one track: the list of track ids is empty"],
      [["1", "2"], 'track ids must be whole numbers from 1 up, such as [1, 2] (got "1" at position 0)'],
      [[1, 1.5], "track ids must be whole numbers from 1 up, such as [1, 2] (got 1.5 at position 1)"],
      [[0], "track ids must be whole numbers from 1 up, such as [1, 2] (got 0 at position 0)"],
      [Array.from({ length: MAX_CHOSEN + 1 }, () => 1), `choose at most ${MAX_CHOSEN} track ids at a time`],
    ] as const) {
      expect(choice(body), JSON.stringify(body)).toBe(false);
      expect(describeSchemaError(choice.errors ?? [], "body").message).toBe(message);
    }
  });
});
