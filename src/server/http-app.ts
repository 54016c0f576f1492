import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import multipart from "@fastify/multipart";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { HttpError } from "./http-error.js";
import { outputFile } from "./mixdown.js";
import type { MusicService } from "./music-service.js";
import type { SongPipeline } from "./song-pipeline.js";
import type { MusicRecord, StateStore } from "./state-store.js";

export interface HttpDeps {
  store: StateStore;
  music: MusicService;
  pipeline: SongPipeline;
  reset: () => Promise<number>;
  health: () => { broker: "connected" | "disconnected"; store: string };
  maxUploadBytes: number;
}

const idParams = {
  type: "object",
  properties: { id: { type: "integer", minimum: 1 } },
  required: ["id"],
} as const;

const UPLOAD_TYPES = "send the audio as application/octet-stream, audio/*, or multipart field 'body'";

const WEB_PAGE = new URL("../web/index.html", import.meta.url);

/** The original's HTTP API (SEED.md), validated at the edge; handlers only translate to the services. */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const { store, music, pipeline } = deps;
  const app = Fastify({ bodyLimit: deps.maxUploadBytes, logger: false });
  await app.register(multipart, { limits: { fileSize: deps.maxUploadBytes, files: 1 } });
  // Raw uploads: any audio or binary type arrives as one Buffer.
  for (const type of ["application/octet-stream", /^audio\//, /^video\//]) {
    app.addContentTypeParser(type, { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  }

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof HttpError) return reply.status(error.status).send({ error: error.message });
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return reply
        .status(415)
        .send({ error: "send the audio as application/octet-stream, audio/*, or multipart field 'body'" });
    }
    // The disk, not the request: nothing was stored (an upload leaves no song), and the same request can succeed
    // once there is room.
    if (error.code === "ENOSPC" || error.code === "EDQUOT" || error.code === "SQLITE_FULL")
      return reply
        .status(507)
        .send({ error: `the server's disk is full, nothing was stored: ${error.message}` });
    if (error.code === "FST_REQ_FILE_TOO_LARGE" || error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.status(413).send({ error: `the upload is larger than ${deps.maxUploadBytes} bytes` });
    }
    return reply
      .status(status)
      .send({ error: status === 500 ? `internal error: ${error.message}` : error.message });
  });

  app.get("/", async (_request, reply) => reply.type("text/html").send(await readFile(WEB_PAGE)));

  app.get("/health", async (_request, reply) => {
    const health = deps.health();
    const ok = health.broker === "connected" && health.store === "ok";
    return reply.status(ok ? 200 : 503).send({ status: ok ? "ok" : "degraded", ...health });
  });

  app.post("/music", async (request) => {
    const { bytes, filename } = await uploadedBytes(request);
    return describeUpload(await music.upload(bytes, filename));
  });

  app.get("/music", async () => Object.values(store.state.music).map(describeUpload));

  app.post<{ Params: { id: number }; Body: number[] }>(
    "/music/:id",
    {
      schema: {
        params: idParams,
        body: { type: "array", items: { type: "integer" }, minItems: 1 },
      },
    },
    async (request) => {
      const chosen = await pipeline.choose(request.params.id, request.body);
      return { music_id: chosen.music_id, track_ids: chosen.selected, status: chosen.status };
    },
  );

  app.get<{ Params: { id: number } }>("/music/:id", { schema: { params: idParams } }, async (request) => {
    const song = pipeline.find(request.params.id);
    const done = song.status === "done";
    const base = `/music/${song.music_id}`;
    return {
      progress: pipeline.progress(song),
      status: song.status,
      instruments: song.tracks.map((t) => ({
        name: t.name,
        track_id: t.track_id,
        track: done ? `${base}/tracks/${t.track_id}.wav` : null,
      })),
      final: done ? `${base}/final.wav` : null,
      final_mp3: done ? `${base}/final.mp3` : null,
      selected: song.selected,
      ...(song.error ? { error: song.error } : {}),
    };
  });

  app.get<{ Params: { id: number; track: number } }>(
    "/music/:id/tracks/:track.wav",
    {
      schema: {
        params: {
          type: "object",
          properties: { id: { type: "integer" }, track: { type: "integer" } },
          required: ["id", "track"],
        },
      },
    },
    async (request, reply) => {
      const song = pipeline.find(request.params.id);
      const track = song.tracks.find((t) => t.track_id === request.params.track);
      if (!track)
        throw new HttpError(404, `track ${request.params.track} not found in music ${song.music_id}`);
      return sendAudio(
        reply,
        ready(song, outputFile(store, song.music_id, `${track.name}.wav`)),
        "audio/wav",
      );
    },
  );

  for (const [ext, type] of [
    ["wav", "audio/wav"],
    ["mp3", "audio/mpeg"],
  ] as const) {
    app.get<{ Params: { id: number } }>(
      `/music/:id/final.${ext}`,
      { schema: { params: idParams } },
      async (request, reply) => {
        const song = pipeline.find(request.params.id);
        return sendAudio(reply, ready(song, outputFile(store, song.music_id, `final.${ext}`)), type);
      },
    );
  }

  app.get("/job", async () => Object.keys(store.state.jobs).map(Number));

  app.get<{ Params: { id: number } }>("/job/:id", { schema: { params: idParams } }, async (request) => {
    const job = store.state.jobs[request.params.id];
    if (!job) throw new HttpError(404, `job ${request.params.id} not found`);
    return {
      job_id: job.job_id,
      size: job.size,
      time: job.accepted?.time ?? null,
      music_id: job.music_id,
      track_id: store.state.music[job.music_id]?.selected ?? [],
      chunk: { index: job.chunk_index, count: job.chunk_count, start: job.start, end: job.end },
      worker_id: job.accepted?.worker_id ?? null,
      duplicates_dropped: job.duplicates,
    };
  });

  app.post("/reset", async () => ({ status: "reset", cancelled_jobs: await deps.reset() }));

  return app;
}

function describeUpload(song: MusicRecord) {
  return { music_id: song.music_id, name: song.name, band: song.band, tracks: song.tracks };
}

function ready(song: MusicRecord, path: string): string {
  if (song.status !== "done" || !existsSync(path)) {
    throw new HttpError(409, `music ${song.music_id} is not processed yet (status ${song.status})`);
  }
  return path;
}

function sendAudio(reply: import("fastify").FastifyReply, path: string, type: string) {
  return reply.type(type).send(createReadStream(path));
}

async function uploadedBytes(request: FastifyRequest): Promise<{ bytes: Buffer; filename?: string }> {
  if (request.isMultipart()) {
    for await (const part of request.parts()) {
      if (part.type === "file" && part.fieldname === "body")
        return { bytes: await part.toBuffer(), filename: part.filename };
      if (part.type === "file") await part.toBuffer();
    }
    throw new HttpError(400, "multipart upload has no file field named 'body'");
  }
  if (request.body === undefined || request.body === null) {
    throw new HttpError(400, "the upload is empty: send the audio file as the request body");
  }
  if (!Buffer.isBuffer(request.body)) throw new HttpError(415, UPLOAD_TYPES);
  return { bytes: request.body };
}
