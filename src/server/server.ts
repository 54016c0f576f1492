import type { FastifyInstance } from "fastify";
import { getEngine } from "../audio/engines/index.js";
import type { Settings } from "../config/settings.js";
import { createEventLog } from "../events/event-log.js";
import type { Logger } from "../log/logger.js";
import { destinations } from "../messages/destinations.js";
import { watchLoopStalls } from "../process/loop-stalls.js";
import { within } from "../process/within.js";
import { StompLink } from "../stomp/link.js";
import { linkOptions } from "../stomp/link-options.js";
import { DeadlineWatch } from "./deadline-watch.js";
import { buildHttpApp } from "./http-app.js";
import { MusicService } from "./music-service.js";
import { reconcile } from "./reconcile.js";
import { resetAll } from "./reset.js";
import { ResultCollector } from "./result-collector.js";
import { SongPipeline } from "./song-pipeline.js";
import { StateStore } from "./state-store.js";

const HTTP_CLOSE_MS = 2000;

/** The server process: HTTP API, job publishing, result collection and merging, over one STOMP link. */
export class EncoreServer {
  private constructor(
    readonly app: FastifyInstance,
    readonly url: string,
    readonly store: StateStore,
    readonly pipeline: SongPipeline,
    readonly collector: ResultCollector,
    private readonly deadlines: DeadlineWatch,
    private readonly link: StompLink,
    private readonly log: Logger,
    private readonly graceMs: number,
  ) {}

  private readonly stalls = watchLoopStalls();

  /** `Collector` is the product's, except in the harness's deliberately broken variants. */
  static async start(
    settings: Settings,
    log: Logger,
    Collector: typeof ResultCollector = ResultCollector,
  ): Promise<EncoreServer> {
    const store = new StateStore(settings.dataDir);
    if (store.migratedFrom) log.warn(`Server: ${store.migratedFrom} migrated into ${store.file}`);
    const queues = destinations(settings.queuePrefix);
    const link = new StompLink(linkOptions(settings, "Server", log));
    const events = createEventLog(settings.eventsFile, "server");
    link.onConnect((session) => events.record("connected", { connection: session.id }));
    link.onLoss((error) => events.record("connection-lost", { reason: error.message }));
    const music = new MusicService(store, link, queues, getEngine(settings.engine), settings, log, events, {
      maxSongSeconds: settings.maxSongSeconds,
      maxStoredBytes: settings.maxStoredMb * 2 ** 20,
      allowPartialAudio: settings.allowPartialAudio === "true",
    });
    const pipeline = new SongPipeline(store, music, log, events, settings.jobRetries);
    const collector = new Collector(store, pipeline, link, queues, log, events);

    const reset = () => resetAll({ store, pipeline, collector, music, log });

    const app = await buildHttpApp({
      store,
      music,
      pipeline,
      reset,
      health: () => ({
        broker: link.connected ? "connected" : "disconnected",
        store: store.failing ?? collector.stalled ?? "ok",
      }),
      maxUploadBytes: settings.maxUploadMb * 1024 * 1024,
    });
    const session = await link.start();
    log.info(`Server: connected to the broker (heart-beat ${session.negotiatedHeartbeat.join(",")})`);
    await collector.start();
    await reconcile(store, link, queues.epochs, log);
    // Before any job of this start is sent: a worker that connects later learns the epoch from the stream.
    await music.announceEpoch(store.state.epoch);
    pipeline.recover();
    const deadlines = new DeadlineWatch(store, pipeline, settings);
    deadlines.start();
    const address = await app.listen({ host: settings.serverHost, port: settings.serverPort });
    const url = address.replace("[::1]", "localhost");
    log.info(`Server: listening on ${url}`);
    return new EncoreServer(app, url, store, pipeline, collector, deadlines, link, log, settings.stopGraceMs);
  }

  /**
   * No new requests; the songs' background work (publishing jobs, a merge) may go on for the grace, and the jobs
   * being published get their RECEIPTs within it (a song whose jobs are all on the queue is served by the workers
   * while this server is down). What is still unconfirmed then is sent by the next start (recover()), never failed.
   */
  async stop(): Promise<void> {
    const closed = this.app.close();
    // A client that stopped reading (a paused player holds its download open) must not hold the stop for long:
    // after a moment the connections still open are cut, and a player resumes with a Range request.
    if (!(await within(closed, HTTP_CLOSE_MS))) this.app.server.closeAllConnections();
    await closed;
    this.deadlines.stop();
    const deadline = Date.now() + this.graceMs;
    await within(this.pipeline.idle(), this.graceMs);
    const unconfirmed = await this.link.settle(Math.max(0, deadline - Date.now()));
    if (unconfirmed > 0)
      this.log.warn(
        `Server: stopping: ${unconfirmed} publishes not confirmed within ${this.graceMs} ms - the next start sends them`,
      );
    await this.link.close();
    await this.pipeline.idle();
    await this.pipeline.close();
    this.store.close();
    this.log.info(`Server: stopped: ${this.stalls.summary()}`);
  }
}
