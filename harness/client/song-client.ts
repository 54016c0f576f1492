import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OperationLog, OpValue } from "../history/operations.js";
import { asSongState } from "./api-shapes.js";

/** An HTTP error status the server answered with. */
export class HttpRefusal extends Error {
  constructor(
    readonly f: string,
    readonly status: number,
    body: string,
  ) {
    super(`${f} failed: ${status} ${body}`);
  }
}

/** The harness's own HTTP client: each call is an operation, ok with what it saw or fail/info with why. */
export async function call<T>(
  ops: OperationLog,
  f: string,
  value: OpValue,
  request: () => Promise<Response>,
  read: (res: Response) => Promise<T>,
  summarize: (result: T) => OpValue = () => ({}),
): Promise<T> {
  const invoked = ops.invoke("client", f, value);
  let res: Response;
  try {
    res = await request();
  } catch (error) {
    // No answer: the request may or may not have been acted on.
    ops.complete(invoked, "info", { error: (error as Error).message });
    throw error;
  }
  if (!res.ok) {
    const body = await res.text();
    ops.complete(invoked, "fail", { status: res.status, error: body.slice(0, 200) });
    throw new HttpRefusal(f, res.status, body);
  }
  const result = await read(res);
  ops.complete(invoked, "ok", { status: res.status, ...summarize(result) });
  return result;
}

/** Saves every stem and the chosen mix (WAV and MP3) as the server serves them, for the output oracle; the error if not. */
export async function downloadOutputs(
  url: string,
  musicId: number,
  dir: string,
  ops: OperationLog,
): Promise<string | undefined> {
  try {
    mkdirSync(dir, { recursive: true });
    const state = await call(
      ops,
      "read",
      { music: musicId },
      () => fetch(`${url}/music/${musicId}`),
      async (res) => asSongState(await res.json()),
    );
    const files: [string, string | null][] = [
      ...state.instruments.map((i): [string, string | null] => [`${i.name}.wav`, i.track]),
      ["final.wav", state.final],
      ["final.mp3", state.final_mp3],
    ];
    for (const [name, path] of files) {
      if (!path) return `the server lists no URL for ${name}`;
      const bytes = await call(
        ops,
        "download",
        { file: name },
        () => fetch(`${url}${path}`),
        async (res) => Buffer.from(await res.arrayBuffer()),
        (b) => ({ bytes: b.length }),
      );
      writeFileSync(join(dir, name), bytes);
    }
    return undefined;
  } catch (error) {
    return `downloading the outputs failed: ${(error as Error).message}`;
  }
}
