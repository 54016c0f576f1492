import net from "node:net";

/** One attempt: TCP connect, STOMP CONNECT, true once CONNECTED comes back. */
export function stompAnswers(
  host: string,
  port: number,
  login: string,
  passcode: string,
  timeoutMs = 1000,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let received = "";
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () =>
      socket.write(`CONNECT\naccept-version:1.2\nhost:/\nlogin:${login}\npasscode:${passcode}\n\n\0`),
    );
    socket.on("data", (data) => {
      received += data.toString("latin1");
      if (received.startsWith("CONNECTED")) done(true);
      else if (received.includes("\0")) done(false);
    });
    socket.once("error", () => done(false));
    socket.once("close", () => done(received.startsWith("CONNECTED")));
  });
}

/** Polls every 100 ms until the broker answers STOMP, `failed()` returns a reason, or the time is up. */
export async function waitForStomp(
  host: string,
  port: number,
  login: string,
  passcode: string,
  timeoutMs: number,
  failed: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed();
    if (reason) throw new Error(reason);
    if (await stompAnswers(host, port, login, passcode)) return;
    if (Date.now() > deadline)
      throw new Error(`broker did not answer STOMP on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
