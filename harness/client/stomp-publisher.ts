import net from "node:net";

export interface BrokerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * The harness's own STOMP client, for the messages it injects (a poison job, a malformed result): one
 * connection straight to the broker, one SEND, resolved once the broker's RECEIPT says it has the message.
 */
export function publishOnce(
  broker: BrokerAddress,
  destination: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs = 10_000,
): Promise<void> {
  const escaped = (v: string) =>
    v.replace(/\\/g, "\\\\").replace(/\r/g, "\\r").replace(/\n/g, "\\n").replace(/:/g, "\\c");
  const lines = Object.entries({
    ...headers,
    destination,
    receipt: "harness-1",
    "content-length": String(body.length),
  })
    .map(([k, v]) => `${escaped(k)}:${escaped(v)}`)
    .join("\n");
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: broker.host, port: broker.port });
    let received = "";
    const timer = setTimeout(() => finish(new Error(`no RECEIPT within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.once("connect", () =>
      socket.write(
        `CONNECT\naccept-version:1.2\nhost:/\nlogin:${broker.user}\npasscode:${broker.password}\nheart-beat:0,0\n\n\0`,
      ),
    );
    let sent = false;
    socket.on("data", (data) => {
      received += data.toString("latin1");
      // Frames end in NUL; heart-beat newlines between them are skipped.
      for (let end = received.indexOf("\0"); end >= 0; end = received.indexOf("\0")) {
        const frame = received.slice(0, end).replace(/^\n+/, "");
        received = received.slice(end + 1);
        const command = frame.slice(0, frame.indexOf("\n"));
        if (command === "ERROR") return finish(new Error(`the broker refused it: ${frame.slice(0, 300)}`));
        if (command === "CONNECTED" && !sent) {
          sent = true;
          socket.write(Buffer.concat([Buffer.from(`SEND\n${lines}\n\n`), body, Buffer.from("\0")]));
        } else if (command === "RECEIPT" && sent) return finish();
      }
    });
    socket.once("error", (error) => finish(error));
  });
}
