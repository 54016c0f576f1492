import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { FastifyRequest } from "fastify";
import { HttpError } from "./http-error.js";

/** An upload on disk, not yet a song: the caller renames or removes it. */
export interface IncomingFile {
  path: string;
  filename?: string;
}

export const UPLOAD_TYPES =
  "send the audio as application/octet-stream, audio/*, or multipart/form-data with the file in field 'body'";

/**
 * Streams the request's audio (raw body or multipart field 'body') into `dir`, never whole in memory; past
 * `maxBytes` it stops with 413 and keeps nothing.
 */
export async function receiveUpload(
  request: FastifyRequest,
  dir: string,
  maxBytes: number,
): Promise<IncomingFile> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, randomUUID());
  const tooLarge = (size?: number) =>
    new HttpError(
      413,
      `the upload is ${size === undefined ? "larger" : `${size} bytes, more`} than MAX_UPLOAD_MB (${maxBytes} bytes)`,
    );
  try {
    if (request.isMultipart()) return { path, ...(await receivePart(request, path, maxBytes, tooLarge)) };
    const body = request.body;
    if (!isReadable(body)) throw new HttpError(415, UPLOAD_TYPES);
    const declared = Number(request.headers["content-length"]);
    if (declared > maxBytes) {
      body.resume();
      throw tooLarge(declared);
    }
    if ((await save(body, path, maxBytes, tooLarge)) === 0)
      throw new HttpError(400, "the upload is empty: send the audio file as the request body");
    return { path };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

async function receivePart(
  request: FastifyRequest,
  path: string,
  maxBytes: number,
  tooLarge: () => HttpError,
): Promise<{ filename?: string }> {
  const abort = new AbortController();
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1 } })) {
      if (part.type !== "file") continue;
      if (part.fieldname !== "body") {
        part.file.resume();
        continue;
      }
      const stopWatch = watchForEarlyEnd(request, part.file, abort);
      const bytes = await save(part.file, path, maxBytes, tooLarge, abort.signal).finally(stopWatch);
      if (part.file.truncated) throw tooLarge();
      if (bytes === 0) throw new HttpError(400, "the uploaded file 'body' is empty");
      return { filename: part.filename || undefined };
    }
  } catch (error) {
    throw asHttpError(error, tooLarge);
  }
  throw new HttpError(400, "multipart upload has no file field named 'body'");
}

/** busboy's and the plugin's errors are about the request, except the disk's own (ENOSPC stays a 507). */
function asHttpError(error: unknown, tooLarge: () => HttpError): unknown {
  if (error instanceof HttpError) return error;
  const { code, statusCode, message } = error as Error & { code?: string; statusCode?: number };
  if (code === "ENOSPC" || code === "EDQUOT") return error;
  if (statusCode === 413) return tooLarge();
  return new HttpError(400, `the multipart upload is malformed: ${message}`);
}

function save(
  source: Readable,
  path: string,
  maxBytes: number,
  tooLarge: () => HttpError,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let failed = false;
    const file = createWriteStream(path);
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      // The rest of an oversized body is read and dropped (not the connection cut), so the client gets its 413.
      source.unpipe(file);
      source.resume();
      // Rejected once the file is closed, so the caller's removal of it comes after its last write.
      file.once("close", () => reject(error));
      file.destroy();
    };
    source.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) fail(tooLarge());
    });
    signal?.addEventListener("abort", () => fail(signal.reason as Error));
    source.on("error", fail);
    file.on("error", fail);
    file.on("finish", () => {
      if (!failed) resolve(bytes);
    });
    source.pipe(file);
  });
}

/** After the whole request is in, a file part that makes no progress for this long will never end. */
const EARLY_END_MS = 1000;

/**
 * busboy leaves a file part open for ever (or destroys it before it is read, without a word) when the body ends
 * inside it, with no closing boundary: once the request is complete and the part has stopped moving, the save
 * is aborted with a 400. Returns the watch's stop.
 */
function watchForEarlyEnd(request: FastifyRequest, file: Readable, abort: AbortController): () => void {
  let last = Date.now();
  const moved = () => {
    last = Date.now();
  };
  file.on("data", moved);
  const check = setInterval(() => {
    if (!request.raw.complete || file.readableEnded || Date.now() - last < EARLY_END_MS) return;
    abort.abort(
      new HttpError(400, "the multipart upload ended inside the file 'body' (no closing boundary)"),
    );
  }, EARLY_END_MS / 4);
  return () => {
    clearInterval(check);
    file.off("data", moved);
  };
}

const isReadable = (body: unknown): body is Readable =>
  typeof body === "object" && body !== null && typeof (body as Readable).pipe === "function";
