import type { IncomingMessage } from "node:http";
import { ApiError, badRequestBody } from "./api-error.js";

const MAX_BODY = 1024 * 1024;

/** Reads a JSON request body; an empty one is Go's "EOF", as Toxiproxy reports it. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of request as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > MAX_BODY) throw new ApiError("request body too large", 413);
    parts.push(part);
  }
  const text = Buffer.concat(parts).toString("utf8");
  if (text.trim() === "") throw badRequestBody("EOF");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequestBody((error as Error).message);
  }
}

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw badRequestBody(`${what} must be a JSON object`);
  return value as JsonObject;
}

type FieldTypes = { string: string; number: number; boolean: boolean };

/** A field of the given type; null or absent gives the fallback, as Go's decoder leaves a default alone. */
export function field<K extends keyof FieldTypes>(
  body: JsonObject,
  name: string,
  type: K,
  fallback: FieldTypes[K],
): FieldTypes[K] {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== type) throw badRequestBody(`field "${name}" must be a ${type}`);
  return value as FieldTypes[K];
}
