/**
 * Per-credential rate limit over a sliding one-second window of the injected clock, like
 * Revolv3's documented 20 calls per second.
 */

/** Result of a rate check: allowed, or refused with the seconds to wait. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Sliding-window limiter; `limit` 0 disables it. */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** Records a request for `key` if it is within the limit. Refused requests are not recorded. */
  check(key: string): RateDecision {
    if (this.limit <= 0) return { allowed: true };
    const t = this.now();
    const recent = (this.windows.get(key) ?? []).filter((at) => at > t - 1000);
    if (recent.length >= this.limit) {
      this.windows.set(key, recent);
      const oldest = recent[0] ?? t;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + 1000 - t) / 1000)) };
    }
    recent.push(t);
    this.windows.set(key, recent);
    return { allowed: true };
  }

  reset(): void {
    this.windows.clear();
  }
}
