import { fstatSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** What the CLI touches of the outside world; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Clock in ms since epoch (tests freeze it). */
  now: () => number;
  /** Working directory for default paths (the journal); defaults to process.cwd(). */
  cwd?: string;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe. Absent: no signals (tests). */
  onSignal?: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;
  /** True when stderr is a terminal (live progress goes there only then). */
  stderrIsTTY?: boolean;
  /** Ends the process at once (a second Ctrl-C). */
  exit?: (code: number) => never;
  /** True when standard output is a terminal (colour is then on by default). */
  stdoutIsTTY?: boolean;
}

/** The real process's IO. */
export function processIo(): CliIo {
  return {
    stdout: stdoutWriter(),
    stderr: (t) => process.stderr.write(t),
    // read only by the commands that take `-` (process.stdin loads Node's stream and TTY modules)
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    now: Date.now,
    cwd: process.cwd(),
    stderrIsTTY: process.stderr.isTTY === true,
    onSignal: (handler) => {
      const int = () => handler('SIGINT');
      const term = () => handler('SIGTERM');
      process.on('SIGINT', int);
      process.on('SIGTERM', term);
      return () => {
        process.off('SIGINT', int);
        process.off('SIGTERM', term);
      };
    },
    exit: (code) => process.exit(code),
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}

/**
 * Writes to standard output. When it is a regular file, the text goes straight to the file with
 * `fs.writeSync`, as process.stdout itself would write it there (synchronously, in order), but
 * without first copying each string into a new Buffer: for `datamap plan` over a large input
 * that copy was some 10% of the main thread's time. Anything else (a terminal, a pipe, a socket)
 * goes through process.stdout as before.
 */
function stdoutWriter(): (text: string) => void {
  let file = false;
  try {
    file = fstatSync(1).isFile();
  } catch {
    file = false;
  }
  if (!file) return (t) => void process.stdout.write(t);
  // one write per text, as Node's own stream for a file (SyncWriteStream) makes it
  return (t) => void writeSync(1, t);
}
