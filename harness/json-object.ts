/** A parsed JSON object (not an array, not null): what every harness reader checks before it reads a field. */
export type JsonObject = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);
