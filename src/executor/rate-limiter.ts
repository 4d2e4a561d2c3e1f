import type { Clock } from './clock.js';

/** Something every call of a run passes right before it is sent. */
export interface SendGate {
  /**
   * 0 when a call may be sent now — and then it counts as sent at this instant — else how long
   * to wait before asking again (ms).
   */
  tryTake(): number;
  /**
   * The provider answered 429: no call of the run is sent before `until` (epoch ms), since
   * every call of the same credential would be refused until then too.
   */
  holdUntil(until: number): void;
}

/**
 * A client-side limit of `perSecond` sends in any sliding window of `windowMs`: 1.1 s, a 10%
 * margin, because a request counted here can reach the provider some milliseconds later (a busy
 * event loop, e.g. a journal fsync, the network) and must never land in the provider's previous
 * second. A send is counted when it is allowed, right before it leaves, so a caller delayed
 * after its turn (a busy event loop) can never squeeze two windows into one.
 */
export function createRateLimiter(perSecond: number, clock: Clock, windowMs = 1100): SendGate {
  const sent: number[] = [];
  const cap = Math.max(1, Math.floor(perSecond));
  let heldUntil = 0;
  return {
    holdUntil(until) {
      heldUntil = Math.max(heldUntil, until);
    },
    tryTake() {
      const now = clock.now();
      if (now < heldUntil) return heldUntil - now;
      while (sent.length && (sent[0] ?? now) <= now - windowMs) sent.shift();
      if (sent.length < cap) {
        sent.push(now);
        return 0;
      }
      return Math.max(1, (sent[0] ?? now) + windowMs - now);
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
