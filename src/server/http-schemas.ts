import type { FastifySchemaValidationError } from "fastify/types/schema.js";

/**
 * The JSON schemas of the HTTP edge, one per route input, shared with the tests. Types are never coerced
 * (the app's ajv runs with coerceTypes off): an id is a decimal integer exactly as written, a track list an
 * array of integers.
 */

/** Decimal digits, no sign, no leading zero, no spaces; at most 15 digits, so every id is a safe integer. */
export const ID_PATTERN = "^[1-9][0-9]{0,14}$";

const id = { type: "string", pattern: ID_PATTERN } as const;

export const idParams = {
  type: "object",
  properties: { id },
  required: ["id"],
} as const;

export const trackParams = {
  type: "object",
  properties: { id, track: id },
  required: ["id", "track"],
} as const;

/** A song has four tracks; a longer list can only be a mistake or an attack. */
export const MAX_CHOSEN = 64;

export const trackChoice = {
  type: "array",
  items: { type: "integer", minimum: 1 },
  minItems: 1,
  maxItems: MAX_CHOSEN,
} as const;

const PARAM_NAMES: Record<string, string> = { id: "the id", track: "the track id" };

/** ajv's findings as one sentence a person can act on (the app runs ajv with `verbose`, so `data` is set). */
export function describeSchemaError(errors: FastifySchemaValidationError[], part: string): Error {
  const first = errors[0];
  const where = first?.instancePath ?? "";
  const got = JSON.stringify((first as { data?: unknown } | undefined)?.data) ?? "nothing";
  if (part === "params") {
    const name = PARAM_NAMES[where.replace(/^\//, "")] ?? "a path segment";
    return new Error(
      `${name} in the path must be a whole number written in decimal, such as 12 (got ${got})`,
    );
  }
  if (part === "body") {
    const keyword = first?.keyword;
    if (where === "" && keyword === "minItems")
      return new Error("choose at least one track: the list of track ids is empty");
    if (where === "" && keyword === "maxItems")
      return new Error(`choose at most ${MAX_CHOSEN} track ids at a time`);
    if (where !== "")
      return new Error(
        `track ids must be whole numbers from 1 up, such as [1, 2] (got ${got} at position ${where.slice(1)})`,
      );
    return new Error(`the body must be a JSON array of track ids, such as [1, 2] (got ${got})`);
  }
  return new Error(`the request's ${part} is not valid: ${first?.message ?? "unknown reason"}`);
}
