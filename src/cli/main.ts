import { Command, CommanderError } from 'commander';
import { DatamapError } from '../index.js';
import { formatDiagnostic } from './format-diagnostic.js';
import { processIo, type CliIo } from './io.js';
import { validateCommand } from './commands/validate.js';
import { planCommand } from './commands/plan.js';
import { runCommand, type RunCommandOptions } from './commands/run.js';
import { registerMoreCommands } from './more-commands.js';
import { registerRunsCommand } from './commands/runs.js';

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 a run or plan failed for some record,
 * 2 invalid input or usage. Never throws for user errors; never calls process.exit.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const program = new Command('datamap')
    .description('Turn host records into validated payment-provider calls (Invoiss, Revolv3).')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run datamap --help for usage)');

  program
    .command('validate')
    .description('Check Data Map files: YAML, schema, operations, step references, expressions, secrets')
    .argument('<files...>', 'Data Map files')
    .option('--json', 'machine-readable output')
    .action(async (files: string[], opts: { json?: boolean }) => {
      code = await validateCommand(files, opts, io);
    });

  program
    .command('plan')
    .description('Dry run: show every request each record would send, validated, without any network call')
    .argument('<map>', 'Data Map file')
    .requiredOption('-i, --input <file>', 'records: JSON object, JSON array or NDJSON; - for stdin')
    .option('--base-url <url>', 'show requests against this base URL')
    .option('--json', 'machine-readable output')
    .action(async (mapFile: string, opts: { input: string; json?: boolean; baseUrl?: string }) => {
      code = await planCommand(mapFile, opts, io);
    });

  program
    .command('run')
    .description('Run each record\'s provider call sequence for real, journaled so a re-run resumes (money moves: see the README)')
    .argument('<map>', 'Data Map file')
    .requiredOption('-i, --input <file>', 'records: JSON object, JSON array or NDJSON; - for stdin')
    .option('--env <name>', 'environment of the provider pack (sandbox, production)')
    .option('--base-url <url>', 'send every call to this base URL')
    .option('--timeout <ms>', 'per-call timeout in milliseconds', '30000')
    .option('-o, --output <file>', 'also write each record\'s result as NDJSON (an existing file is never replaced silently)')
    .option('--append', 'add to an existing --output file')
    .option('--overwrite', 'replace an existing --output file')
    .option('--json', 'NDJSON output: one result per line, then a summary line')
    .option('--journal <path>', 'journal file (default: .datamap/journal.db in the working directory)')
    .option('--no-journal', 'keep no journal (a re-run then charges again)')
    .option('--retry-declined', 'send records that were declined in an earlier run again')
    .option('--no-preflight', 'skip the lookup made before the first charge of a record the journal does not know')
    .option('--settle-window <ms>', 'how long a lookup may lag behind a write (default: per lookup, from the pack); lower it only for the built-in sandbox')
    .addHelpText('after', `
A re-run over the same journal is a resume: records that succeeded are replayed (no call),
declines are not retried (unless --retry-declined), calls that were in flight are looked up
before anything else, and records held for review are never resent.

Examples:
  datamap run mappings/field-service-to-revolv3.yaml -i examples/field-service/invoices.json
  datamap run map.yaml -i records.ndjson --journal /var/lib/datamap/journal.db -o results.ndjson --append

Credentials: the provider pack's variables (REVOLV3_TOKEN; INVOISS_TOKEN; see datamap providers).
Exit codes: 0 every record succeeded, was skipped or replayed; 1 any declined or failed;
  2 usage or invalid input; 3 any unknown or held for review; 130/143 interrupted (SIGINT/SIGTERM).`)
    .action(async (mapFile: string, opts: RunCommandOptions) => {
      code = await runCommand(mapFile, { ...opts, resume: ['datamap', ...argv.map(shellQuote)].join(' ') }, io);
    });

  registerRunsCommand(program, io, (c) => { code = c; });
  registerMoreCommands(program, io, (c) => { code = c; });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof DatamapError) {
      for (const d of err.diagnostics) io.stderr(formatDiagnostic(d) + '\n\n');
      return 2;
    }
    io.stderr(`error internal/error: ${(err as Error)?.message ?? String(err)}\n  hint: This is a bug in datamap; please report it with the input that caused it.\n`);
    return 2;
  }
}
