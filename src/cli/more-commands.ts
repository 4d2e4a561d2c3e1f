import type { Command } from 'commander';
import type { CliIo } from './io.js';

/** Commands added by later stages (run, sandbox, demo). */
export function registerMoreCommands(program: Command, io: CliIo, setCode: (code: number) => void): void {
  void program;
  void io;
  void setCode;
}
