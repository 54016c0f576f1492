import { CLOSE, defineToxic } from "./toxic.js";

/** Lets exactly `bytes` bytes through (counted from when the toxic met the connection), then closes it. */
export const limitData = defineToxic<{ bytes: number }>({
  type: "limit_data",
  defaults: { bytes: 0 },
  pipe(context, attributes) {
    let passed = 0;
    return {
      push(item) {
        if (!Buffer.isBuffer(item)) return context.forward(item);
        const allowed = Math.max(0, attributes().bytes - passed);
        const through = item.subarray(0, allowed);
        if (through.length < item.length) context.drop(item.length - through.length);
        if (through.length > 0) {
          passed += through.length;
          context.forward(through);
        }
        if (attributes().bytes - passed <= 0) context.forward(CLOSE);
      },
      interrupt() {},
      dispose() {},
    };
  },
});
