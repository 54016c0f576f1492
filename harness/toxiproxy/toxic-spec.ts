import { badRequestBody, invalidStream, invalidToxicType, toxicAlreadyExists } from "./api-error.js";
import { asObject, field, type JsonObject } from "./json-body.js";
import { toxicKind } from "./toxics/registry.js";
import type { Attributes, Direction, ToxicKind } from "./toxics/toxic.js";

/** A toxic as configured on a proxy; updates change toxicity and attributes in place. */
export interface ToxicSpec {
  readonly name: string;
  readonly type: string;
  /** As the client wrote it (Toxiproxy matches it case-blind and echoes it back unchanged). */
  readonly stream: string;
  readonly direction: Direction;
  toxicity: number;
  attributes: Attributes;
  readonly kind: ToxicKind;
}

export interface ToxicJson {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Attributes;
}

export const toxicJson = (spec: ToxicSpec): ToxicJson => ({
  name: spec.name,
  type: spec.type,
  stream: spec.stream,
  toxicity: spec.toxicity,
  attributes: { ...spec.attributes },
});

/** Checks in Toxiproxy's order, so a request with several faults gets the same error as there. */
export function parseNewToxic(raw: unknown, taken: (name: string) => boolean): ToxicSpec {
  const body = asObject(raw, "toxic");
  const stream = field(body, "stream", "string", "downstream");
  const direction = stream.toLowerCase();
  if (direction !== "upstream" && direction !== "downstream") throw invalidStream();
  const type = field(body, "type", "string", "");
  const name = field(body, "name", "string", "") || `${type}_${stream}`;
  const kind = toxicKind(type);
  if (!kind) throw invalidToxicType();
  if (taken(name)) throw toxicAlreadyExists();
  return {
    name,
    type,
    stream,
    direction,
    toxicity: field(body, "toxicity", "number", 1),
    attributes: readAttributes(body, kind.defaults),
    kind,
  };
}

/** Only toxicity and attributes change; attributes not named keep their values. */
export function applyToxicUpdate(spec: ToxicSpec, raw: unknown): void {
  const body = asObject(raw, "toxic");
  const toxicity = field(body, "toxicity", "number", spec.toxicity);
  spec.attributes = readAttributes(body, spec.attributes);
  spec.toxicity = toxicity;
}

function readAttributes(body: JsonObject, base: Readonly<Attributes>): Attributes {
  const result = { ...base };
  const given = body.attributes;
  if (given === undefined || given === null) return result;
  const attributes = asObject(given, "attributes");
  for (const name of Object.keys(base)) {
    const value = attributes[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value))
      throw badRequestBody(`attribute "${name}" must be a whole number`);
    result[name] = value;
  }
  return result;
}
