/** Shared test helpers: run the CLI in-process and collect what it prints; drain an async iterable. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock time the run took, in ms. */
  ms: number;
}

export interface CliOptions {
  /** Chunks the CLI reads as stdin (default: none). */
  stdin?: string[];
  /** The CLI's environment (default: empty). */
  env?: Record<string, string | undefined>;
  /** The CLI's clock (default: always 0). */
  now?: () => number;
  /** Working directory for default paths such as the journal (default: a fresh temporary one). */
  cwd?: string;
  /** Pretend stderr is a terminal (live progress). */
  tty?: boolean;
}

/** Runs the real CLI in-process with the given stdin, environment and clock. */
export async function runCli(argv: string[], options: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    stdin: Readable.from(options.stdin ?? []),
    env: options.env ?? {},
    now: options.now ?? (() => 0),
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'datamap-cli-')),
    stderrIsTTY: options.tty === true,
  };
  const t = Date.now();
  const code = await main(argv, io);
  return { code, stdout, stderr, ms: Date.now() - t };
}

/** All the items of an async iterable, in order. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
