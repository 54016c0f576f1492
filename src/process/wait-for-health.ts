/**
 * Polls a server's GET /health until it answers 200, fails at once if its process exited, and gives up after
 * `timeoutMs`. `seeLines` says where the server's own lines can be read.
 */
export async function waitForHealth(
  url: string,
  exited: () => boolean,
  seeLines: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`the server exited during start-up (see ${seeLines})`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer on ${url} within ${timeoutMs / 1000} s`);
}
