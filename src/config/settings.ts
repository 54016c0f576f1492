import { ENGINES } from "../audio/engines/index.js";
import {
  addressList,
  decimal,
  heartbeat,
  integer,
  oneOf,
  optionalText,
  type Parser,
  queueName,
  text,
} from "./setting-parsers.js";

/**
 * Every knob of Encore in one table: environment variable, command-line flag, default and meaning.
 * The README's settings table is printed from this (`npm run settings`), so the two cannot drift.
 */
interface SettingSpec<T> {
  env: string;
  flag: string;
  parse: Parser<T>;
  default: string;
  doc: string;
  /** The value as its variable would say it, where String() would not. */
  show?: (value: T) => string;
}

const spec = <T>(s: SettingSpec<T>): SettingSpec<T> => s;

/** A chunk's result is 4 stems of 32-bit stereo at 44.1 kHz, 1.41 MB a second; RabbitMQ refuses a message
 * above 128 MiB (95 s of result), and a result that can never be published would be retried for ever. */
const MAX_RESULT_SECONDS = 90;

export const SETTINGS = {
  brokerHost: spec({
    env: "BROKER_HOST",
    flag: "broker-host",
    parse: text,
    default: "127.0.0.1",
    doc: "RabbitMQ host",
  }),
  brokerStompPort: spec({
    env: "BROKER_STOMP_PORT",
    flag: "broker-stomp-port",
    parse: integer(1, 65535),
    default: "61613",
    doc: "RabbitMQ STOMP port",
  }),
  brokerAddresses: spec({
    env: "BROKER_ADDRESSES",
    flag: "broker-addresses",
    parse: addressList,
    show: (list) => list.map((a) => `${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`).join(","),
    default: "",
    doc: "the STOMP listeners of a RabbitMQ cluster, `host:port,host:port,…`, tried in turn: a lost or refused connection moves on to the next node (backoff after each round); when set, BROKER_HOST and BROKER_STOMP_PORT are not used",
  }),
  brokerNodes: spec({
    env: "BROKER_NODES",
    flag: "broker-nodes",
    parse: integer(1, 5),
    default: "1",
    doc: "nodes of the private RabbitMQ that `npm start` and `npm run broker` run: above 1, a cluster of that many local nodes (its data in a temp folder, not kept), and every node is given to the server and workers as BROKER_ADDRESSES",
  }),
  brokerUser: spec({
    env: "BROKER_USER",
    flag: "broker-user",
    parse: text,
    default: "guest",
    doc: "STOMP login",
  }),
  brokerPassword: spec({
    env: "BROKER_PASSWORD",
    flag: "broker-password",
    parse: text,
    default: "guest",
    doc: "STOMP passcode",
  }),
  brokerVhost: spec({
    env: "BROKER_VHOST",
    flag: "broker-vhost",
    parse: text,
    default: "/",
    doc: "STOMP virtual host",
  }),
  brokerImage: spec({
    env: "BROKER_IMAGE",
    flag: "broker-image",
    parse: text,
    default: "rabbitmq:3.10-management",
    doc: "RabbitMQ image of the harness's container broker (pulled if missing); at this default, `encore/rabbitmq-offline:3.10` (built by `bash scripts/build-rabbitmq-image.sh`) serves when the engine has it and the official image cannot be had",
  }),
  gateBudgetMinutes: spec({
    env: "GATE_BUDGET_MINUTES",
    flag: "gate-budget-minutes",
    parse: integer(1, 1440),
    default: "10",
    doc: "minutes `npm run gate` may spend on its suite; a scenario not started by then is reported as not run (unknown, exit 3)",
  }),
  heartbeat: spec({
    env: "HEARTBEAT",
    flag: "heartbeat",
    parse: heartbeat,
    default: "15000,15000",
    doc: "STOMP heart-beats (send,receive ms) negotiated in CONNECT; 0,0 turns them off",
  }),
  reconnectMinMs: spec({
    env: "RECONNECT_MIN_MS",
    flag: "reconnect-min-ms",
    parse: integer(10, 600_000),
    default: "200",
    doc: "first reconnect delay; doubles up to RECONNECT_MAX_MS",
  }),
  reconnectMaxMs: spec({
    env: "RECONNECT_MAX_MS",
    flag: "reconnect-max-ms",
    parse: integer(10, 600_000),
    default: "5000",
    doc: "longest reconnect delay",
  }),
  receiptTimeoutMs: spec({
    env: "RECEIPT_TIMEOUT_MS",
    flag: "receipt-timeout-ms",
    parse: integer(100, 600_000),
    default: "30000",
    doc: "how long a publish or ACK waits for its RECEIPT before the connection is declared dead; a publish waits 1 ms more per 256 bytes of its body",
  }),
  queuePrefix: spec({
    env: "QUEUE_PREFIX",
    flag: "queue-prefix",
    parse: queueName,
    default: "encore",
    doc: "prefix of the queues: <prefix>.jobs, <prefix>.results, <prefix>.dead-letter, stream <prefix>.epochs",
  }),
  serverHost: spec({
    env: "SERVER_HOST",
    flag: "host",
    parse: text,
    default: "127.0.0.1",
    doc: "HTTP listen address",
  }),
  serverPort: spec({
    env: "SERVER_PORT",
    flag: "port",
    parse: integer(0, 65535),
    default: "8000",
    doc: "HTTP port",
  }),
  dataDir: spec({
    env: "DATA_DIR",
    flag: "data-dir",
    parse: text,
    default: "data",
    doc: "where the server keeps songs, jobs, results and outputs (survives restarts)",
  }),
  maxUploadMb: spec({
    env: "MAX_UPLOAD_MB",
    flag: "max-upload-mb",
    parse: integer(1, 4096),
    default: "200",
    doc: "largest accepted upload (413 past it; the upload streams to disk, never whole in memory)",
  }),
  maxSongSeconds: spec({
    env: "MAX_SONG_SECONDS",
    flag: "max-song-seconds",
    parse: decimal(1, 86_400),
    default: "900",
    doc: "longest accepted song once decoded (422 past it): the merge holds the whole song in memory",
  }),
  maxStoredMb: spec({
    env: "MAX_STORED_MB",
    flag: "max-stored-mb",
    parse: integer(1),
    default: "20480",
    doc: "disk budget of DATA_DIR: an upload whose song would need more (its PCM, results and outputs, estimated from its length) gets 422; POST /reset frees it",
  }),
  allowPartialAudio: spec({
    env: "ALLOW_PARTIAL_AUDIO",
    flag: "allow-partial-audio",
    parse: oneOf("false", "true"),
    default: "false",
    doc: "true: keep what ffmpeg could decode of a damaged or truncated file; false: such uploads get 422",
  }),
  splitMode: spec({
    env: "SPLIT_MODE",
    flag: "split-mode",
    parse: oneOf("per-worker", "seconds"),
    default: "per-worker",
    doc: "per-worker: SPLIT_CHUNKS chunks per song (the original's default); seconds: CHUNK_SECONDS each",
  }),
  splitChunks: spec({
    env: "SPLIT_CHUNKS",
    flag: "split-chunks",
    parse: integer(1, 10_000),
    default: "4",
    doc: "chunks per song in per-worker mode (set it to the number of workers)",
  }),
  chunkSeconds: spec({
    env: "CHUNK_SECONDS",
    flag: "chunk-seconds",
    parse: decimal(0.1, 3600),
    default: "30",
    doc: "chunk length in seconds mode",
  }),
  maxChunkSeconds: spec({
    env: "MAX_CHUNK_SECONDS",
    flag: "max-chunk-seconds",
    parse: decimal(1, MAX_RESULT_SECONDS),
    default: "60",
    doc: `longest chunk in any mode, at most ${MAX_RESULT_SECONDS}: longer songs get more chunks, so a result (4 stems, 32-bit stereo: 1.41 MB a second) stays below RabbitMQ's 128 MiB message limit`,
  }),
  engine: spec({
    env: "ENGINE",
    flag: "engine",
    parse: oneOf(...Object.keys(ENGINES)),
    default: "stft",
    doc: "separation engine: `stft` (frequency-domain masks, better separation), `dsp` (time-domain filters, cruder) or `passthrough` (no separation: the whole mix as `other`, for measuring the cluster's own cost per job)",
  }),
  workersHealthy: spec({
    env: "WORKERS_HEALTHY",
    flag: "count",
    parse: integer(0, 256),
    default: "4",
    doc: "worker processes that stay up (`npm run workers -- --count N`)",
  }),
  workersUnhealthy: spec({
    env: "WORKERS_UNHEALTHY",
    flag: "unhealthy",
    parse: integer(0, 256),
    default: "0",
    doc: "extra worker processes killed (SIGKILL) WORKER_SIMULATE_CRASH_AFTER seconds after start",
  }),
  workerSimulateCrashAfter: spec({
    env: "WORKER_SIMULATE_CRASH_AFTER",
    flag: "crash-after",
    parse: decimal(0, 86_400),
    default: "20",
    doc: "seconds until the unhealthy workers are killed",
  }),
  workerMinJobMs: spec({
    env: "WORKER_MIN_JOB_MS",
    flag: "min-job-ms",
    parse: integer(0, 86_400_000),
    default: "0",
    doc: "synthetic minimum time per job, to emulate a slow model (logged as synthetic)",
  }),
  workerCpuMs: spec({
    env: "WORKER_CPU_MS",
    flag: "cpu-ms",
    parse: integer(0, 86_400_000),
    default: "0",
    doc: "CPU the engine burns per job before separating (a test mode: a model slow because it computes)",
  }),
  stopGraceMs: spec({
    env: "STOP_GRACE_MS",
    flag: "stop-grace-ms",
    parse: integer(0, 3_600_000),
    default: "10000",
    doc: "on SIGTERM, how long a worker may go on with its job (then it NACKs it for another worker), and the server with its unconfirmed publishes (then its next start sends them)",
  }),
  jobMaxFailures: spec({
    env: "JOB_MAX_FAILURES",
    flag: "job-max-failures",
    parse: integer(1, 1000),
    default: "5",
    doc: "a job that failed in the work this often (on any workers) is dead-lettered and its song marked failed; lost connections and broker restarts do not count",
  }),
  jobMaxDeliveries: spec({
    env: "JOB_MAX_DELIVERIES",
    flag: "job-max-deliveries",
    parse: integer(1, 1000),
    default: "50",
    doc: "a safety net for a job that kills every worker that takes it: one copy delivered more often than this (RabbitMQ counts lost connections too) is dead-lettered and its song marked failed",
  }),
  jobDeadlineMinMs: spec({
    env: "JOB_DEADLINE_MIN_MS",
    flag: "job-deadline-min-ms",
    parse: integer(1000, 86_400_000),
    default: "60000",
    doc: "the shortest deadline of a job, counted from when it reached a worker at the latest; before any result has measured the workers' speed, every deadline is JOB_DEADLINE_FACTOR times this",
  }),
  jobDeadlineFactor: spec({
    env: "JOB_DEADLINE_FACTOR",
    flag: "job-deadline-factor",
    parse: decimal(1, 1000),
    default: "4",
    doc: "a job's deadline is this many times the time its chunk should take at the slowest speed of the last 32 accepted results (and at least JOB_DEADLINE_MIN_MS)",
  }),
  jobRetries: spec({
    env: "JOB_RETRIES",
    flag: "job-retries",
    parse: integer(0, 100),
    default: "3",
    doc: "how often a job past its deadline, or whose result was unusable, is published again before its song fails with an error naming it",
  }),
  eventsFile: spec({
    env: "EVENTS_FILE",
    flag: "events-file",
    parse: optionalText,
    default: "",
    doc: "append structured events (JSONL) here; empty: none (the harness sets one per process)",
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: ReturnType<(typeof SETTINGS)[K]["parse"]> };

export class SettingError extends Error {}

/** Parses `--flag value` and `--flag=value` pairs; anything else is a usage error. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new SettingError(`unexpected argument "${arg}" (flags look like --name value)`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new SettingError(`flag --${match[1]} needs a value`);
    flags.set(match[1], value);
  }
  return flags;
}

/** Flags win over environment variables, which win over defaults. */
export function loadSettings(
  argv: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<SettingName, string>> = {},
): Settings {
  const flags = parseFlags(argv);
  const known = new Set(Object.values(SETTINGS).map((s) => s.flag));
  for (const flag of flags.keys()) {
    if (!known.has(flag)) throw new SettingError(`unknown flag --${flag}`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    const fromFlag = flags.get(s.flag);
    const fromEnv = env[s.env];
    const raw =
      fromFlag ?? overrides[name] ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : s.default);
    const origin = fromFlag !== undefined ? `--${s.flag}` : s.env;
    try {
      out[name] = s.parse(raw);
    } catch (error) {
      throw new SettingError(`bad setting ${origin}="${raw}": ${(error as Error).message}`);
    }
  }
  const settings = out as Settings;
  if (settings.reconnectMinMs > settings.reconnectMaxMs) {
    throw new SettingError(
      `bad setting RECONNECT_MIN_MS="${settings.reconnectMinMs}": larger than RECONNECT_MAX_MS (${settings.reconnectMaxMs})`,
    );
  }
  return settings;
}

/** The environment that hands these settings to a child process. */
export function settingsEnv(settings: Settings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    const value = settings[name];
    env[s.env] = s.show ? s.show(value) : Array.isArray(value) ? value.join(",") : String(value);
  }
  return env;
}
