import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import multipart from "@fastify/multipart";
import send from "@fastify/send";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { fromRoot } from "../process/project-paths.js";
import { HttpError } from "./http-error.js";
import { describeSchemaError, idParams, trackChoice, trackParams } from "./http-schemas.js";
import { outputFile } from "./mixdown.js";
import type { MusicService } from "./music-service.js";
import type { SongPipeline } from "./song-pipeline.js";
import type { MusicRecord, StateStore } from "./state-store.js";
import { receiveUpload, UPLOAD_TYPES } from "./upload-intake.js";

export interface HttpDeps {
  store: StateStore;
  music: MusicService;
  pipeline: SongPipeline;
  reset: () => Promise<number>;
  health: () => { broker: "connected" | "disconnected"; store: string };
  maxUploadBytes: number;
}

interface IdParams {
  id: string;
}

const WEB_PAGE = fromRoot("src/web/index.html");

/** JSON bodies are track lists: a few bytes. Uploads stream past this limit (their own is MAX_UPLOAD_MB). */
const JSON_BODY_LIMIT = 64 * 1024;

const CHOICE_TYPE = "send the track ids as a JSON array with content-type application/json, such as [1, 2]";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** The original's HTTP API (SEED.md), validated at the edge; handlers only translate to the services. */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const { store, music, pipeline } = deps;
  const app = Fastify({
    bodyLimit: JSON_BODY_LIMIT,
    logger: false,
    ajv: { customOptions: { coerceTypes: false, verbose: true } },
    schemaErrorFormatter: describeSchemaError,
    // A URL the router cannot even decode is the client's mistake, answered like every other.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      reply.status(400).send({ error: `the request cannot be routed: ${error.message}` });
    },
  });
  // Only JSON bodies reach the routes outside the upload: a track list sent as text is refused, not guessed at.
  app.removeContentTypeParser("text/plain");
  const routes = new Map<string, Set<string>>();
  app.addHook("onRoute", (route) => {
    const methods = routes.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    routes.set(route.url, methods);
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.status).send({ error: error.message });
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      const url = request.routeOptions.url;
      return reply.status(415).send({
        error:
          url === "/music" ? UPLOAD_TYPES : url === "/music/:id" ? CHOICE_TYPE : "this request takes no body",
      });
    }
    // The disk, not the request: nothing was stored (an upload leaves no song), and the same request can succeed
    // once there is room.
    if (error.code === "ENOSPC" || error.code === "EDQUOT" || error.code === "SQLITE_FULL")
      return reply
        .status(507)
        .send({ error: `the server's disk is full, nothing was stored: ${error.message}` });
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return reply.status(413).send({ error: `the body is larger than ${JSON_BODY_LIMIT} bytes` });
    if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError)
      return reply.status(400).send({ error: `the body is not valid JSON: ${error.message}` });
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply
      .status(status)
      .send({ error: status === 500 ? `internal error: ${error.message}` : error.message });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: `no such resource: ${request.method} ${request.url.slice(0, 200)}` }),
  );

  app.get("/", async (_request, reply) => reply.type("text/html").send(await readFile(WEB_PAGE)));

  app.get("/health", async (_request, reply) => {
    const health = deps.health();
    const ok = health.broker === "connected" && health.store === "ok";
    return reply.status(ok ? 200 : 503).send({ status: ok ? "ok" : "degraded", ...health });
  });

  await app.register(async (uploads) => {
    // Only this route takes audio, and it streams it to disk: the parsers hand over the request itself.
    await uploads.register(multipart);
    for (const type of ["application/octet-stream", /^audio\//, /^video\//]) {
      uploads.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    }
    uploads.post("/music", async (request) => {
      const incoming = await receiveUpload(request, store.incomingDir(), deps.maxUploadBytes);
      return describeUpload(await music.upload(incoming));
    });
  });

  app.get("/music", async () => Object.values(store.state.music).map(describeUpload));

  app.post<{ Params: IdParams; Body: number[] }>(
    "/music/:id",
    { schema: { params: idParams, body: trackChoice } },
    async (request) => {
      const chosen = await pipeline.choose(Number(request.params.id), request.body);
      return { music_id: chosen.music_id, track_ids: chosen.selected, status: chosen.status };
    },
  );

  app.get<{ Params: IdParams }>("/music/:id", { schema: { params: idParams } }, async (request) => {
    const song = pipeline.find(Number(request.params.id));
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
      mixed: song.mixed ?? null,
      ...(song.error ? { error: song.error } : {}),
    };
  });

  app.get<{ Params: IdParams & { track: string } }>(
    "/music/:id/tracks/:track.wav",
    { schema: { params: trackParams } },
    async (request, reply) => {
      const song = pipeline.find(Number(request.params.id));
      const track = song.tracks.find((t) => t.track_id === Number(request.params.track));
      if (!track)
        throw new HttpError(404, `track ${request.params.track} not found in music ${song.music_id}`);
      return sendAudio(
        request,
        reply,
        song,
        outputFile(store, song.music_id, `${track.name}.wav`),
        "audio/wav",
      );
    },
  );

  for (const [ext, type] of [
    ["wav", "audio/wav"],
    ["mp3", "audio/mpeg"],
  ] as const) {
    app.get<{ Params: IdParams }>(
      `/music/:id/final.${ext}`,
      { schema: { params: idParams } },
      async (request, reply) => {
        const song = pipeline.find(Number(request.params.id));
        return sendAudio(request, reply, song, outputFile(store, song.music_id, `final.${ext}`), type);
      },
    );
  }

  app.get("/job", async () => Object.keys(store.state.jobs).map(Number));

  app.get<{ Params: IdParams }>("/job/:id", { schema: { params: idParams } }, async (request) => {
    const job = store.state.jobs[Number(request.params.id)];
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

  // A known resource asked for with a method it does not have: 405 naming the ones it has.
  for (const [url, methods] of [...routes]) {
    const allowed = [...methods].sort().join(", ");
    app.route({
      method: METHODS.filter((m) => !methods.has(m)),
      url,
      handler: async (request, reply) =>
        reply
          .status(405)
          .header("allow", allowed)
          .send({ error: `${request.method} is not allowed on ${url}; allowed: ${allowed}` }),
    });
  }

  return app;
}

function describeUpload(song: MusicRecord) {
  return { music_id: song.music_id, name: song.name, band: song.band, tracks: song.tracks };
}

/** A finished song's file, with Content-Length, ETag and Range (players need them to show a length and seek). */
async function sendAudio(
  request: FastifyRequest,
  reply: FastifyReply,
  song: MusicRecord,
  path: string,
  type: string,
): Promise<FastifyReply> {
  const notYet = () =>
    new HttpError(409, `music ${song.music_id} is not processed yet (status ${song.status})`);
  if (song.status !== "done") throw notYet();
  const sent = await send(request.raw, basename(path), {
    root: dirname(path),
    contentType: false,
    cacheControl: false,
    acceptRanges: true,
    etag: true,
    lastModified: true,
  });
  if (sent.type === "file")
    return reply.status(sent.statusCode).headers(sent.headers).type(type).send(sent.stream);
  if (sent.statusCode === 404) throw notYet();
  if (sent.statusCode === 416)
    return reply
      .status(416)
      .header("content-range", sent.headers["Content-Range"])
      .send({ error: `the range ${request.headers.range} is not within the file` });
  throw new HttpError(sent.statusCode, `the file cannot be sent (${sent.statusCode})`);
}
