import { describe, expect, it } from "vitest";
import { loadSettings, SettingError, settingsEnv } from "../../src/config/settings.js";

describe("settings", () => {
  it("has the original's defaults and knobs", () => {
    const s = loadSettings([], {});
    expect(s.heartbeat).toEqual([15000, 15000]);
    expect(s).toMatchObject({
      brokerHost: "127.0.0.1",
      brokerStompPort: 61613,
      workerSimulateCrashAfter: 20,
      splitMode: "per-worker",
    });
  });

  it("reads environment variables, and flags win over them", () => {
    const s = loadSettings(["--count", "7", "--heartbeat=2000,3000"], {
      WORKERS_HEALTHY: "3",
      WORKERS_UNHEALTHY: "2",
      HEARTBEAT: "1,1",
    });
    expect(s.workersHealthy).toBe(7);
    expect(s.workersUnhealthy).toBe(2);
    expect(s.heartbeat).toEqual([2000, 3000]);
  });

  it.each([
    [["--count", "-1"], {}, /--count="-1": expected a whole number from 0/],
    [
      [],
      { BROKER_STOMP_PORT: "70000" },
      /BROKER_STOMP_PORT="70000": expected a whole number from 1 to 65535/,
    ],
    [[], { HEARTBEAT: "fast" }, /HEARTBEAT="fast": expected "send,receive"/],
    [[], { SPLIT_MODE: "halves" }, /SPLIT_MODE="halves": expected one of per-worker, seconds/],
    [[], { CHUNK_SECONDS: "0" }, /CHUNK_SECONDS="0"/],
    [[], { MAX_CHUNK_SECONDS: "120" }, /MAX_CHUNK_SECONDS="120": expected a number from 1 to 90/],
    [[], { QUEUE_PREFIX: "a b" }, /QUEUE_PREFIX="a b"/],
    [
      [],
      { BROKER_ADDRESSES: "10.0.0.1:61613,10.0.0.2" },
      /BROKER_ADDRESSES="10.0.0.1:61613,10.0.0.2": expected host:port items .*; "10.0.0.2" is not one/,
    ],
    [[], { BROKER_ADDRESSES: "a:0" }, /BROKER_ADDRESSES="a:0": .*"a:0" is not one/],
    [["--no-such-flag", "1"], {}, /unknown flag --no-such-flag/],
    [["--count"], {}, /--count needs a value/],
    [["stray"], {}, /unexpected argument "stray"/],
    [
      [],
      { RECONNECT_MIN_MS: "9000", RECONNECT_MAX_MS: "1000" },
      /RECONNECT_MIN_MS="9000": larger than RECONNECT_MAX_MS/,
    ],
  ])("rejects %j %j naming the setting and the value", (argv, env, message) => {
    expect(() => loadSettings(argv, env)).toThrow(SettingError);
    expect(() => loadSettings(argv, env)).toThrow(message);
  });

  it("reads a cluster's addresses in order, an IPv6 one in brackets", () => {
    const s = loadSettings(["--broker-addresses", "rabbit-a:61613, rabbit-b:61614,[::1]:61615"], {});
    expect(s.brokerAddresses).toEqual([
      { host: "rabbit-a", port: 61613 },
      { host: "rabbit-b", port: 61614 },
      { host: "::1", port: 61615 },
    ]);
    expect(loadSettings([], {}).brokerAddresses).toEqual([]);
  });

  it("hands every setting to a child process unchanged", () => {
    const s = loadSettings(
      ["--heartbeat", "2000,2000", "--split-mode", "seconds", "--broker-addresses", "a:1,[::1]:2"],
      {},
    );
    expect(loadSettings([], settingsEnv(s))).toEqual(s);
  });
});
