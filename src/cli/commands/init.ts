import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { Option, type Command } from 'commander';
import { CATALOGUE, DatamapError, initDataMap, readRecords, type ErrorCode, type InitDataMapOptions } from '../../index.js';
import type { CliIo } from '../io.js';

interface InitCommandOptions {
  provider: string;
  sample?: string;
  out?: string;
  output?: string;
  force?: boolean;
  name?: string;
}

class UsageFailure extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly hint: string = CATALOGUE[code].hint) {
    super(message);
  }
}

/** The first record of a JSON object / array / NDJSON file. */
async function readSample(file: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageFailure('source/file-not-found', `Cannot read sample ${file}`);
  }
  for await (const item of readRecords([text], { source: file })) {
    if (item.error) throw new DatamapError(item.error);
    return item.value;
  }
  throw new UsageFailure('usage/input', `${file} holds no record`, 'Give --sample a JSON object, a JSON array of objects or an NDJSON file.');
}

/**
 * Registers `datamap init --provider <name> [--sample record.json] [--out file] [--force]`:
 * writes a starter Data Map (to --out, or standard output). Exit 0, or 2 for an unknown
 * provider, an unreadable sample, or an existing --out without --force.
 */
export function registerInitCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('init')
    .description('Write a starter Data Map for a provider: its standard steps, required fields filled from a sample record or marked $todo(...)')
    .requiredOption('-p, --provider <name>', 'provider pack (datamap providers lists them)')
    .option('-s, --sample <file>', 'a sample host record (JSON object; of an array or NDJSON file the first record)')
    .option('-o, --output <file>', 'write the map to this file instead of standard output')
    .addOption(new Option('--out <file>', 'same as --output').hideHelp())
    .option('-f, --force', 'overwrite --out if it exists')
    .option('--name <text>', 'the map\'s name')
    .action(async (opts: InitCommandOptions) => {
      opts.out ??= opts.output;
      try {
        if (opts.out && existsSync(opts.out) && !opts.force) {
          throw new UsageFailure('usage/invalid-argument', `${opts.out} already exists`, 'Pass --force to overwrite it, or choose another --out file.');
        }
        const options: InitDataMapOptions = { provider: opts.provider };
        if (opts.sample !== undefined) {
          options.sample = await readSample(opts.sample);
          options.sampleName = basename(opts.sample, extname(opts.sample));
        }
        if (opts.out) options.outFile = opts.out;
        if (opts.name) options.name = opts.name;
        const result = initDataMap(options);
        if (opts.out) {
          mkdirSync(dirname(opts.out), { recursive: true });
          writeFileSync(opts.out, result.text, { flag: opts.force ? 'w' : 'wx' });
        } else {
          io.stdout(result.text);
        }
        const where = opts.out ? `wrote ${opts.out}` : 'starter Data Map written to standard output';
        const steps = result.steps.map((s) => `${s.id} (${s.operation})`).join(' → ');
        const lines = [`${where}: ${result.provider}, steps ${steps}`];
        if (opts.sample !== undefined) lines.push(`  ${result.mapped.length} value${result.mapped.length === 1 ? '' : 's'} mapped from fields of ${opts.sample}`);
        if (result.todos.length) {
          lines.push(`  ${result.todos.length} $todo placeholder${result.todos.length === 1 ? '' : 's'} to replace (datamap validate reports each one):`);
          for (const t of result.todos) lines.push(`    ${opts.out ? `${opts.out}:` : 'line '}${t.line}  ${t.step}: ${t.label}`);
        } else {
          lines.push('  no $todo left: check it with datamap validate, then datamap plan on sample records');
        }
        io.stderr(lines.join('\n') + '\n');
        setCode(0);
      } catch (err) {
        if (err instanceof UsageFailure) {
          io.stderr(`error ${err.code}: ${err.message}\n  hint: ${err.hint}\n`);
        } else if (err instanceof DatamapError) {
          for (const d of err.diagnostics) {
            const at = d.location ? `\n  --> ${d.location.file}:${d.location.line}:${d.location.column}` : '';
            io.stderr(`error ${d.code}: ${d.message}${at}\n  hint: ${d.hint}\n`);
          }
        } else if ((err as NodeJS.ErrnoException)?.code === 'EEXIST') {
          io.stderr(`error usage/invalid-argument: ${opts.out} already exists\n  hint: Pass --force to overwrite it, or choose another --out file.\n`);
        } else {
          throw err;
        }
        setCode(2);
      }
    });
}
