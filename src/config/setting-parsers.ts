/** Parsers turn one raw string into a typed value or throw a message that says what was expected. */
export type Parser<T> = (raw: string) => T;

export const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`expected a whole number from ${min} to ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`expected a whole number from ${min} to ${max}`);
    return value;
  };

export const decimal =
  (min: number, max = Number.MAX_VALUE): Parser<number> =>
  (raw) => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`expected a number from ${min} to ${max}`);
    }
    return value;
  };

export const text: Parser<string> = (raw) => {
  if (raw.trim() === "") throw new Error("expected a non-empty text");
  return raw;
};

/** A value that may be left empty to turn a feature off. */
export const optionalText: Parser<string> = (raw) => raw.trim();

export const oneOf =
  <T extends string>(...choices: readonly T[]): Parser<T> =>
  (raw) => {
    if (!(choices as readonly string[]).includes(raw))
      throw new Error(`expected one of ${choices.join(", ")}`);
    return raw as T;
  };

/** STOMP heart-beat "send,receive" in ms, as in the CONNECT header. */
export const heartbeat: Parser<[number, number]> = (raw) => {
  const match = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(raw);
  if (!match) throw new Error('expected "send,receive" in milliseconds, e.g. "15000,15000"');
  return [Number(match[1]), Number(match[2])];
};

export const queueName: Parser<string> = (raw) => {
  if (!/^[A-Za-z0-9._-]+$/.test(raw)) throw new Error("expected letters, digits, '.', '_' or '-'");
  return raw;
};

/** "host:port,host:port" (a host may be [an IPv6 address]); empty: none. */
export const addressList: Parser<{ host: string; port: number }[]> = (raw) => {
  if (raw.trim() === "") return [];
  return raw.split(",").map((item) => {
    const match = /^\s*(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+):(\d+)\s*$/.exec(item);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535)
      throw new Error(
        `expected host:port items separated by commas, e.g. "10.0.0.1:61613,10.0.0.2:61613"; "${item.trim()}" is not one`,
      );
    return { host: (match[1] as string).replace(/^\[|\]$/g, ""), port };
  });
};
