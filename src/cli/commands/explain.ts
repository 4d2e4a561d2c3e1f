import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/** Registers `datamap explain` (being written). */
export function registerExplainCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  void program;
  void io;
  void setCode;
}
