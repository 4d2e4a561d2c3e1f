import type { Outcome } from '../executor/types.js';

/** Counts per outcome, rate, elapsed and ETA, as one line. */
export interface ProgressState {
  done: number;
  /** Known total records, or a fraction of the input read (0..1) when only the size is known. */
  total?: number;
  fraction?: () => number | undefined;
  counts: Record<Outcome, number>;
  startedAt: number;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The progress line: `[0:12] 1234 records (24.7%) · 1200 succeeded, 20 declined · 98.3/s · ETA 0:38`. */
export function progressLine(p: ProgressState, now: number): string {
  const elapsed = now - p.startedAt;
  const rate = elapsed > 0 ? (p.done * 1000) / elapsed : 0;
  const frac = p.total ? p.done / p.total : p.fraction?.();
  const counts = Object.entries(p.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'starting';
  let line = `[${clock(elapsed)}] ${p.done}${p.total ? `/${p.total}` : ''} records`;
  if (frac !== undefined && frac > 0) line += ` (${(Math.min(1, frac) * 100).toFixed(1)}%)`;
  line += ` · ${counts} · ${rate.toFixed(1)}/s`;
  if (frac !== undefined && frac > 0.001 && frac < 1 && elapsed > 500) line += ` · ETA ${clock((elapsed / frac) * (1 - frac))}`;
  return line;
}

/**
 * Progress on stderr: on a terminal a live line redrawn at most every 100 ms; elsewhere nothing,
 * or a line every `everySeconds` when asked (`--progress N`).
 */
export function createProgress(write: (t: string) => void, opts: { tty: boolean; everySeconds?: number; now: () => number }, state: ProgressState) {
  let last = 0;
  let drawn = false;
  const interval = opts.tty ? 100 : (opts.everySeconds ?? 0) * 1000;
  return {
    tick(force = false): void {
      if (!interval) return;
      const now = opts.now();
      if (!force && now - last < interval) return;
      last = now;
      if (opts.tty) {
        write(`\r\x1b[2K${progressLine(state, now)}`);
        drawn = true;
      } else write(progressLine(state, now) + '\n');
    },
    /** Clears the live line before other output, so the two never mix. */
    clear(): void {
      if (opts.tty && drawn) {
        write('\r\x1b[2K');
        drawn = false;
      }
    },
  };
}
