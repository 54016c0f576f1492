import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalBroker } from "../../src/broker/local-broker.js";
import { loadSettings, type SettingName, type Settings, settingsEnv } from "../../src/config/settings.js";
import { createLogger, type Logger } from "../../src/log/logger.js";
import { forwardLines } from "../../src/process/forward-output.js";
import { type Child, spawnEntry, stopChild } from "../../src/process/spawn-entry.js";
import { EncoreServer } from "../../src/server/server.js";
import { waitFor } from "./wait-for.js";

export interface Track {
  track_id: number;
  name: string;
}
export interface Upload {
  music_id: number;
  name: string;
  band: string;
  tracks: Track[];
}
export interface SongState {
  progress: number;
  status: string;
  final: string | null;
  final_mp3: string | null;
  selected: number[];
  /** The tracks the current final mix is made of. */
  mixed: number[] | null;
  error?: string;
}
/** What an error answer carries; callers name the shape they expect otherwise. */
export interface ApiError {
  error?: string;
  [key: string]: unknown;
}

export interface WorkerProcess {
  child: Child;
  lines: string[];
}

let clusters = 0;

/** Lines of every process in one array, echoed when ENCORE_TEST_LOG is set. */
function collector(lines: string[]): Logger & { write: (line: string) => void } {
  const write = (line: string) => {
    lines.push(line);
    if (process.env.ENCORE_TEST_LOG) process.stdout.write(`${line}\n`);
  };
  return { ...createLogger(write), write };
}

/**
 * A real cluster for integration tests: the server in this process (so tests can read its store), workers
 * as real child processes, all on a real broker, with queues of their own so clusters never share messages.
 */
export class TestCluster {
  readonly lines: string[] = [];
  readonly workers: WorkerProcess[] = [];
  readonly log = collector(this.lines);
  server!: EncoreServer;

  private constructor(
    readonly settings: Settings,
    readonly dataDir: string,
  ) {}

  static async start(
    broker: LocalBroker,
    overrides: Partial<Record<SettingName, string>> = {},
  ): Promise<TestCluster> {
    const dataDir = mkdtempSync(join(tmpdir(), "encore-test-"));
    const settings = loadSettings(
      [],
      {},
      {
        brokerHost: broker.host,
        brokerStompPort: String(broker.stompPort),
        heartbeat: "2000,2000",
        reconnectMinMs: "100",
        reconnectMaxMs: "1000",
        serverPort: "0",
        dataDir,
        queuePrefix: `test${process.pid}-${++clusters}`,
        ...overrides,
      },
    );
    const cluster = new TestCluster(settings, dataDir);
    await cluster.startServer();
    return cluster;
  }

  get url(): string {
    return this.server.url;
  }

  async startServer(): Promise<void> {
    this.server = await EncoreServer.start(this.settings, this.log);
  }

  async stopServer(): Promise<void> {
    await this.server.stop();
  }

  async startWorkers(count: number, env: Record<string, string> = {}): Promise<WorkerProcess[]> {
    const started = Array.from({ length: count }, () => {
      const lines: string[] = [];
      const child = spawnEntry("worker", [], {
        ...process.env,
        ...settingsEnv(this.settings),
        ...env,
      } as Record<string, string>);
      const write = (line: string) => {
        lines.push(line);
        this.log.write(line);
      };
      forwardLines(child.stdout, write);
      forwardLines(child.stderr, write);
      const worker = { child, lines };
      this.workers.push(worker);
      return worker;
    });
    await Promise.all(
      started.map((w) =>
        waitFor("worker to connect", () => w.lines.some((l) => l.includes("waiting for jobs")), 30_000),
      ),
    );
    return started;
  }

  async api<T = ApiError>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, init);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body: body as T };
  }

  async upload(file: string): Promise<Upload> {
    const res = await this.api<Upload>("/music", {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: readFileSync(file),
    });
    if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async choose(musicId: number, trackIds: number[]): Promise<void> {
    const res = await this.api(`/music/${musicId}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(trackIds),
    });
    if (res.status !== 200) throw new Error(`choose failed: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async waitDone(
    musicId: number,
    timeoutMs = 90_000,
  ): Promise<SongState & { final: string; final_mp3: string }> {
    return waitFor(
      `music ${musicId} to finish`,
      async () => {
        const { body } = await this.api<SongState>(`/music/${musicId}`);
        if (body.status === "failed") throw new Error(`music ${musicId} failed: ${body.error}`);
        return body.progress === 100 && body.final && body.final_mp3
          ? { ...body, final: body.final, final_mp3: body.final_mp3 }
          : undefined;
      },
      timeoutMs,
    );
  }

  async download(path: string): Promise<Buffer> {
    const res = await fetch(`${this.url}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => stopChild(w.child)));
    await this.server.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
