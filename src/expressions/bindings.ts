import jsonata from '../jsonata.js';

// Compiled once: JSONata's own picture formatting, used by `$now(picture, tz)`.
const FROM_MILLIS = jsonata('$fromMillis($ms, $p, $tz)');

/** Per-record clock functions so `$now()`/`$millis()` come from the injected clock. */
export function clockBindings(nowMs: number): Record<string, unknown> {
  const iso = new Date(nowMs).toISOString();
  return {
    now: (picture?: string, timezone?: string) =>
      picture === undefined ? iso : FROM_MILLIS.evaluate({}, { ms: nowMs, p: picture, tz: timezone }),
    millis: () => nowMs,
  };
}
