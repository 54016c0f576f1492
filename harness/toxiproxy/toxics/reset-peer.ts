import { defineToxic } from "./toxic.js";

/**
 * Nothing happens until the first data (or end) on the stream; that is dropped and, `timeout` ms later,
 * both the client and the upstream get an RST.
 */
export const resetPeer = defineToxic<{ timeout: number }>({
  type: "reset_peer",
  defaults: { timeout: 0 },
  pipe(context, attributes) {
    let timer: NodeJS.Timeout | undefined;
    let triggered = false;
    return {
      push(item) {
        if (Buffer.isBuffer(item)) context.drop(item.length);
        if (triggered) return;
        triggered = true;
        timer = setTimeout(() => context.reset(), attributes().timeout);
      },
      // Once triggered, Toxiproxy resets even if the toxic goes meanwhile; here it just happens sooner.
      interrupt() {
        if (timer === undefined) return;
        clearTimeout(timer);
        timer = undefined;
        context.reset();
      },
      dispose: () => clearTimeout(timer),
    };
  },
});
