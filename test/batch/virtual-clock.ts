/**
 * A virtual clock for concurrent code: `sleep` resolves when virtual time reaches its end, and
 * time jumps to the next sleeper only once everything else has settled (nothing really waits).
 */
export interface VirtualClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export function virtualClock(start = Date.parse('2026-11-21T00:00:00Z')): VirtualClock {
  let t = start;
  const timers: Array<{ at: number; resolve: () => void }> = [];
  let scheduled = false;
  const advance = () => {
    scheduled = false;
    timers.sort((a, b) => a.at - b.at);
    const next = timers.shift();
    if (!next) return;
    t = Math.max(t, next.at);
    next.resolve();
    if (timers.length) schedule();
  };
  // setImmediate runs after pending promise callbacks and I/O: the system is idle by then
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => setImmediate(advance));
  };
  return {
    now: () => t,
    sleep(ms) {
      return new Promise<void>((resolve) => {
        timers.push({ at: t + Math.max(0, ms), resolve });
        schedule();
      });
    },
  };
}
