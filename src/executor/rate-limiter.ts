import type { Clock } from './clock.js';

/** Something every call of a run waits on before it is sent. */
export interface SendGate {
  /** Resolves when a call may be sent; returns how long it waited (ms). */
  take(): Promise<number>;
}

/**
 * A client-side limit of `perSecond` sends in any sliding window of `windowMs` (a little over a
 * second, so that jitter between our send and the provider's receipt never makes two windows
 * look like one). Slots are reserved synchronously, so concurrent callers share it fairly.
 */
export function createRateLimiter(perSecond: number, clock: Clock, windowMs = 1025): SendGate {
  const slots: number[] = [];
  return {
    async take() {
      const now = clock.now();
      while (slots.length > perSecond && (slots[0] ?? now) <= now - windowMs) slots.shift();
      let at = now;
      if (slots.length >= perSecond) at = Math.max(now, (slots[slots.length - perSecond] ?? now) + windowMs);
      slots.push(at);
      const wait = at - now;
      if (wait > 0) await clock.sleep(wait);
      return wait;
    },
  };
}

/** Parses `--rate-limit` values: `20`, `20/s`, `1200/m`, `0` (off). Undefined when malformed. */
export function parseRate(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  return unit.startsWith('m') ? n / 60 : n;
}
