import jsonata from '../jsonata.js';

// Compiled once: JSONata's own picture formatting, used by `$now(picture, tz)`.
const FROM_MILLIS = jsonata('$fromMillis($ms, $p, $tz)');

let last: { nowMs: number; bindings: Record<string, unknown> } | undefined;

/**
 * Per-record clock functions so `$now()`/`$millis()` come from the injected clock. Records
 * planned in the same millisecond share them (they hold nothing but the clock value); callers
 * copy them into their own bindings.
 */
export function clockBindings(nowMs: number): Record<string, unknown> {
  if (last !== undefined && Object.is(last.nowMs, nowMs)) return last.bindings;
  const bindings = makeClockBindings(nowMs);
  last = { nowMs, bindings };
  return bindings;
}

function makeClockBindings(nowMs: number): Record<string, unknown> {
  const iso = new Date(nowMs).toISOString();
  return {
    now: (picture?: string, timezone?: string) =>
      picture === undefined ? iso : FROM_MILLIS.evaluate({}, { ms: nowMs, p: picture, tz: timezone }),
    millis: () => nowMs,
  };
}
