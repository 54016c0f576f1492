import { CLOSE, defineToxic } from "./toxic.js";

/**
 * Swallows all data. With timeout > 0 the connection is closed that many ms after the toxic meets it;
 * with 0 it stays open, silent, until the toxic is removed, which closes it (Toxiproxy's Cleanup does that).
 */
export const timeout = defineToxic<{ timeout: number }>({
  type: "timeout",
  defaults: { timeout: 0 },
  pipe(context, attributes) {
    let timer: NodeJS.Timeout | undefined;
    const stop = () => clearTimeout(timer);
    return {
      start() {
        const ms = attributes().timeout;
        if (ms > 0) timer = setTimeout(() => context.forward(CLOSE), ms);
      },
      push(item) {
        if (Buffer.isBuffer(item)) context.drop(item.length);
        else context.forward(item);
      },
      interrupt: stop,
      removed: () => context.forward(CLOSE),
      dispose: stop,
    };
  },
});
