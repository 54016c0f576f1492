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
  bytes: number;
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
  const tooLarge = () => new HttpError(413, `the upload is larger than MAX_UPLOAD_MB (${maxBytes} bytes)`);
  try {
    if (request.isMultipart()) return { path, ...(await receivePart(request, path, maxBytes, tooLarge)) };
    const body = request.body;
    if (!isReadable(body)) throw new HttpError(415, UPLOAD_TYPES);
    if (Number(request.headers["content-length"]) > maxBytes) {
      body.resume();
      throw tooLarge();
    }
    const bytes = await save(body, path, maxBytes, tooLarge);
    if (bytes === 0) throw new HttpError(400, "the upload is empty: send the audio file as the request body");
    return { path, bytes };
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
): Promise<{ bytes: number; filename?: string }> {
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1 } })) {
      if (part.type !== "file") continue;
      if (part.fieldname !== "body") {
        part.file.resume();
        continue;
      }
      const bytes = await save(part.file, path, maxBytes, tooLarge);
      if (part.file.truncated) throw tooLarge();
      if (bytes === 0) throw new HttpError(400, "the uploaded file 'body' is empty");
      return { bytes, filename: part.filename || undefined };
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

function save(source: Readable, path: string, maxBytes: number, tooLarge: () => HttpError): Promise<number> {
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
      file.destroy();
      reject(error);
    };
    source.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) fail(tooLarge());
    });
    source.on("error", fail);
    file.on("error", fail);
    file.on("finish", () => {
      if (!failed) resolve(bytes);
    });
    source.pipe(file);
  });
}

const isReadable = (body: unknown): body is Readable =>
  typeof body === "object" && body !== null && typeof (body as Readable).pipe === "function";
