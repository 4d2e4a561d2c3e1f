import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/** Registers `datamap init` (being written). */
export function registerInitCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  void program;
  void io;
  void setCode;
}
