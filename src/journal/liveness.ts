import { hostname } from 'node:os';
import type { RunRow } from './types.js';

const HOST = hostname();

/** True when a process id is alive on this host. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the run holding a record is gone, so another run may take the record: it ended, its
 * process is dead on this host, or (another host) its heartbeat is older than `staleMs`.
 */
export function holderIsGone(run: RunRow | undefined, now: number, staleMs: number): boolean {
  if (!run || run.status !== 'running') return true;
  if (run.host === HOST) return run.pid !== process.pid ? !pidAlive(run.pid) : false;
  return now - run.heartbeatAt > staleMs;
}

/** This process, as a run's owner. */
export function thisProcess(): { host: string; pid: number } {
  return { host: HOST, pid: process.pid };
}
