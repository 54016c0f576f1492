import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { groupMembers, groupRuns, processRuns, procStat } from "../../src/process/proc-stat.js";

describe("a process group's state from /proc", () => {
  it("runs while a member runs, and no longer once only a zombie is left", async () => {
    // The exec'd sleep never waits for the short one, which stays a zombie in the group.
    const leader = spawn("sh", ["-c", "sleep 0 & exec sleep 30"], { detached: true, stdio: "ignore" });
    const group = leader.pid as number;
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(procStat(group)).toEqual({ state: "S", group });
      expect(
        groupMembers(group)
          .map((pid) => procStat(pid)?.state)
          .sort(),
      ).toEqual(["S", "Z"]);
      const zombie = groupMembers(group).find((pid) => pid !== group);
      expect(processRuns(Number(zombie))).toBe(false);
      expect(processRuns(group)).toBe(true);
      expect(groupRuns(group)).toBe(true);
    } finally {
      leader.kill("SIGKILL");
    }
    await once(leader, "exit");
    expect(procStat(group)).toBeUndefined();
    expect(processRuns(group)).toBe(false);
    // The orphaned zombie may or may not have been reaped by now: either way nothing of the group runs.
    expect(groupRuns(group)).toBe(false);
  });

  it("knows nothing of a process that does not exist", () => {
    expect(procStat(2 ** 22 + 1)).toBeUndefined();
  });
});
