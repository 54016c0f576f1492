import type { Headers } from "../stomp/session.js";

export class MalformedMessageError extends Error {}

/** Reads typed values out of STOMP headers; the first bad one throws a message naming the header and value. */
export class HeaderReader {
  constructor(private readonly headers: Headers) {}

  text(name: string): string {
    const value = this.headers[name];
    if (value === undefined || String(value) === "")
      throw new MalformedMessageError(`missing header "${name}"`);
    return String(value);
  }

  int(name: string, min = 0): number {
    const raw = this.text(name);
    if (!/^-?\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
      throw new MalformedMessageError(`header "${name}" is "${raw}", expected a whole number >= ${min}`);
    }
    return Number(raw);
  }

  optionalInt(name: string, fallback: number): number {
    return this.headers[name] === undefined ? fallback : this.int(name);
  }

  flag(name: string): boolean {
    const raw = this.text(name);
    if (raw !== "true" && raw !== "false")
      throw new MalformedMessageError(`header "${name}" is "${raw}", expected true or false`);
    return raw === "true";
  }
}
