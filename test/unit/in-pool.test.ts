import { expect, test } from "vitest";
import { inPool } from "../../src/server/in-pool.js";

const tick = () => new Promise((r) => setTimeout(r, 1));

test("never runs more than `width` at once, and runs every item in order of start", async () => {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  await inPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    started.push(n);
    running++;
    most = Math.max(most, running);
    await tick();
    running--;
  });
  expect(most).toBe(3);
  expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
});

test("after a failure starts nothing new, lets the running ones finish, then rejects with that failure", async () => {
  const done: number[] = [];
  const run = inPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
    await tick();
    if (n === 2) throw new Error("job 2 refused");
    done.push(n);
  });
  await expect(run).rejects.toThrow("job 2 refused");
  expect(done).toEqual([1, 3]);
});
