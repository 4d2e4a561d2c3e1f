/**
 * A test-only hook: `DATAMAP_TEST_CRASH_AT=<boundary>[:<n>]` makes the process SIGKILL itself
 * the n-th time (default 1st) it reaches the named boundary, so crash tests can stop a real run
 * at every point of a call. Unset, it costs one property check.
 */
export type CrashBoundary = 'before-intent' | 'after-intent' | 'after-send' | 'after-response' | 'after-outcome';

const spec = process.env.DATAMAP_TEST_CRASH_AT;
const [wanted, nth] = spec ? spec.split(':') : [];
let seen = 0;

export function crashPoint(boundary: CrashBoundary): void {
  if (!spec || boundary !== wanted) return;
  seen++;
  if (seen === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}

/** True when the hook is armed for `after-send` (the transport then crashes mid-request). */
export function crashArmedAfterSend(): boolean {
  return wanted === 'after-send';
}
