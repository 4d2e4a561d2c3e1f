import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/** Registers `datamap providers` (being written). */
export function registerProvidersCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  void program;
  void io;
  void setCode;
}
