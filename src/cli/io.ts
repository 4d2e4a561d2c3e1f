import type { Readable } from 'node:stream';

/** What the CLI touches of the outside world; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Clock in ms since epoch (tests freeze it). */
  now: () => number;
}

/** The real process's IO. */
export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: process.stdin,
    env: process.env,
    now: Date.now,
  };
}
