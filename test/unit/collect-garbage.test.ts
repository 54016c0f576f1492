import { expect, it } from "vitest";
import { collectGarbage } from "../../src/process/collect-garbage.js";

it("collects garbage when asked, in a process started without --expose-gc", async () => {
  const ref = new WeakRef({ samples: new Float64Array(1 << 16) });
  // A WeakRef keeps its target alive until the current job ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
  expect(ref.deref()).toBeUndefined();
});
