import { expect, test } from "vitest";
import { batches } from "../../src/server/job-batches.js";

const jobs = (...sizes: number[]) => sizes.map((size, id) => ({ id, size }));
const ids = (groups: { id: number }[][]) => groups.map((g) => g.map((j) => j.id));

test("keeps order and fills each batch up to the budget, a job larger than it alone", () => {
  expect(ids(batches(jobs(3, 3, 3, 3), 10))).toEqual([[0, 1, 2], [3]]);
  expect(ids(batches(jobs(4, 20, 4, 4), 10))).toEqual([[0], [1], [2, 3]]);
  expect(ids(batches(jobs(5, 5), 10))).toEqual([[0, 1]]);
  expect(batches([], 10)).toEqual([]);
});
