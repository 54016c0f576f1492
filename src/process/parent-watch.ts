/**
 * Children of `npm start` and of the harness get ENCORE_PARENT_PID. If that parent dies without stopping them
 * (kill -9, a crashed test runner), they exit on their own instead of lingering as strays.
 */
export function watchParent(onOrphaned: () => void): void {
  const parent = Number(process.env.ENCORE_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 0) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      clearInterval(timer);
      onOrphaned();
    }
  }, 1000);
  timer.unref();
}
