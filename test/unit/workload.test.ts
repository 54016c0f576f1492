import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WorkloadRunner } from "../../harness/client/workload.js";
import { OperationLog, readOperations } from "../../harness/history/operations.js";
import { Timeline } from "../../harness/run/timeline.js";
import { resolveScenario } from "../../harness/scenario/resolve-scenario.js";

/**
 * The harness's client against a fake server (the client's logic only; the scenarios run it against the real
 * one). A server that answers 503 while it closes is asked again; one that only ever answers 503 leaves the
 * song unchosen, so the song is still owed and liveness fails it.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function fakeServer(chooseAnswers: number[]): Promise<{ url: string; chooses: () => number }> {
  let chooses = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method === "POST" && req.url === "/music")
        return json(200, { music_id: 1, tracks: [{ track_id: 1, name: "drums" }] });
      if (req.method === "POST" && req.url === "/music/1") {
        const status = chooseAnswers[Math.min(chooses++, chooseAnswers.length - 1)];
        return json(status, status === 200 ? {} : { error: "Service Unavailable" });
      }
      return json(200, { status: "done", progress: 100, instruments: [], final: null, final_mp3: null });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => server.close());
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, chooses: () => chooses };
}

function runner(url: string, budgetMs: number) {
  const dir = mkdtempSync(join(tmpdir(), "encore-workload-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "a.mp3"), "not really audio: the fake server does not read it");
  const scenario = {
    ...resolveScenario("crash-2-of-12"),
    workload: [{ op: "upload" as const, at: 0, song: "a", seconds: 4, tracks: ["drums" as const] }],
  };
  const ops = new OperationLog(join(dir, "history.jsonl"));
  const timeline = new Timeline(join(dir, "timeline.log"), () => {});
  const workload = new WorkloadRunner(
    url,
    scenario,
    new Map([["a", join(dir, "a.mp3")]]),
    budgetMs,
    timeline,
    ops,
  );
  return { workload, timeline, history: () => readOperations(ops.path).ops };
}

describe("the harness's client", () => {
  it("asks again when the server answers 503, and the song runs", async () => {
    const server = await fakeServer([503, 503, 200]);
    const { workload, history } = runner(server.url, 10_000);
    await workload.run(() => {});
    const chooses = history().filter((o) => o.f === "choose" && o.type !== "invoke");
    expect(chooses.map((o) => o.type)).toEqual(["fail", "fail", "ok"]);
    expect(workload.songs.get("a")?.done).toBe(true);
  });

  it("gives up on a server that only answers 503, and the song stays unchosen", async () => {
    const server = await fakeServer([503]);
    const { workload, timeline } = runner(server.url, 1_000);
    await workload.run(() => {});
    expect(server.chooses()).toBeGreaterThan(1);
    expect(workload.songs.get("a")?.sentAt).toBeUndefined();
    expect(workload.songs.get("a")?.done).toBe(false);
    expect(timeline.lines.join("\n")).toMatch(/choose failed: 503/);
  });

  it("does not ask again after another refusal", async () => {
    const server = await fakeServer([400]);
    const { workload } = runner(server.url, 10_000);
    await workload.run(() => {});
    expect(server.chooses()).toBe(1);
    expect(workload.songs.get("a")?.done).toBe(false);
  });
});
