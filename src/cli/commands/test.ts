import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/** Registers `datamap test` (being written). */
export function registerTestCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  void program;
  void io;
  void setCode;
}
