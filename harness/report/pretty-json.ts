/** History times are fractional ms; whole ms are plenty for people. */
const TIME_KEYS = new Set(["at", "endedAt", "healedAt", "faultAt", "redeliveredAt"]);

const roundTimes = (key: string, value: unknown) =>
  TIME_KEYS.has(key) && typeof value === "number" ? Math.round(value) : value;

/** Indented JSON with times rounded to the ms, for witnesses shown to people. */
export const prettyJson = (value: unknown): string => JSON.stringify(value, roundTimes, 2) ?? "undefined";
