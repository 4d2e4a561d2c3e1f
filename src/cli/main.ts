import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { DatamapError } from '../errors/diagnostic.js';
import { getProvider, listProviders } from '../providers/registry.js';
import { formatDiagnostic } from './format-diagnostic.js';
import { processIo, type CliIo } from './io.js';
import type { ValidateCommandOptions } from './commands/validate.js';
import type { RunCommandOptions } from './commands/run.js';
import type { PlanCommandOptions } from './commands/plan.js';
import { colorEnabled, setColor, c } from './color.js';
import { choiceOption, fileOption, integerOption, outputFileOption, textOption, urlOption } from './options.js';
import { FORMATS } from './report-formats.js';
import { SHELLS, completionScript, type CompletionValues, type Shell } from './completion.js';
import { addHelp } from './help.js';
import { packageInfo } from './version.js';
import { collectSet } from './set-option.js';

/** Commands that need none of the modules registered on demand below. */
const CORE_COMMANDS = new Set(['validate', 'plan', 'run']);

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 a run or plan failed for some record,
 * 2 invalid input or usage. Never throws for user errors; never calls process.exit.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  setColor(colorEnabled(io.env, io.stdoutIsTTY ?? false, argv.includes('--no-color') ? false : undefined));
  const program = new Command('datamap')
    .description('Turn host records into validated payment-provider calls (Invoiss, Revolv3).')
    .version(packageInfo().version, '-V, --version', 'print the version')
    .option('--env-file <file>', 'read environment variables (credentials, proxy) from this file first; set ones win', fileOption('--env-file'))
    .option('--no-color', 'no colour, even on a terminal')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // commander's own usage errors (unknown option, missing argument) in our format
      outputError: (text, write) => write(usageError(text)),
    });
  program.hook('preAction', (thisCommand) => {
    const file = thisCommand.opts<{ envFile?: string }>().envFile;
    if (file) loadEnvFile(file, io);
  });

  program
    .command('validate')
    .description('Check Data Maps and their test files: YAML, schema, operations, step references, expressions, secrets, static checks')
    .argument('<paths...>', 'Data Map files, directories holding them, or - for standard input')
    .addOption(new Option('--format <format>', `output format: ${FORMATS.join(', ')}`).argParser(choiceOption('--format', FORMATS)).default('text'))
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this (0: fail on any warning)', integerOption('--max-warnings', 0))
    .option('--json', 'same as --format json')
    .action(async (paths: string[], opts: ValidateCommandOptions) => {
      const { validateCommand } = await import('./commands/validate.js');
      code = await validateCommand(paths, opts, io);
    });

  program
    .command('plan')
    .description('Dry run: show every request each record would send, validated, without any network call')
    .argument('<map>', 'Data Map file')
    .requiredOption('-i, --input <file>', 'records: CSV with a header row, JSON object, JSON array or NDJSON; - for stdin')
    .option('--format <format>', 'input format: csv, ndjson or json (default: by extension, .csv is CSV)')
    .option('--base-url <url>', 'show requests against this base URL', urlOption('--base-url'))
    .option('--set <name=value>', 'a setting the Data Map declares, e.g. invoiss.companyId=comp_123 (repeatable)', collectSet)
    .option('--summary', 'print only counts (records valid/invalid, per step run/skipped) and the invalid records')
    .option('-j, --jobs <n>', 'threads planning a JSON/NDJSON input, this one included; 1 for no worker threads (default: one per CPU, up to 4, for a file of 1 MiB or more)', integerOption('--jobs', 1, 64))
    .option('--json', 'machine-readable output')
    .addHelpText('after', `
Exit codes: 0 every record valid; 1 any record invalid; 2 unusable Data Map, input or options.`)
    .action(async (mapFile: string, opts: PlanCommandOptions) => {
      const { planCommand } = await import('./commands/plan.js');
      code = await planCommand(mapFile, opts, io);
    });

  program
    .command('run')
    .description('Run each record\'s provider call sequence for real, journaled so a re-run resumes (money moves: see the README)')
    .argument('<map>', 'Data Map file')
    .requiredOption('-i, --input <file>', 'records: CSV with a header row, JSON object, JSON array or NDJSON; - for stdin')
    .option('--format <format>', 'input format: csv, ndjson or json (default: by extension, .csv is CSV)')
    .option('--env <name>', 'environment of the provider pack (sandbox, production)')
    .option('--base-url <url>', 'send every call to this base URL', urlOption('--base-url'))
    .option('--timeout <ms>', 'deadline of each call in milliseconds (connect, send and the whole response)', '30000')
    .option('--max-response-bytes <n>', 'largest provider response read, in bytes', String(4 * 1024 * 1024))
    .option('--allow-host <host>', 'also allow calls to this host (repeatable; required for non-pack hosts in production)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--set <name=value>', 'a setting the Data Map declares, e.g. invoiss.companyId=comp_123 (repeatable)', collectSet)
    .option('-o, --output <file>', 'also write each record\'s result as NDJSON (an existing file is never replaced silently)', outputFileOption('--output'))
    .option('--append', 'add to an existing --output file')
    .option('--overwrite', 'replace an existing --output file')
    .option('--json', 'NDJSON output: one result per line, then a summary line')
    .option('--journal <path>', 'journal file (default: .datamap/journal.db in the working directory)', textOption('--journal', 'a file path'))
    .option('--no-journal', 'keep no journal (a re-run then charges again)')
    .option('--retry-declined', 'send records that were declined in an earlier run again')
    .option('--no-preflight', 'skip the lookup made before the first charge of a record the journal does not know')
    .option('--settle-window <ms>', 'how long a lookup may lag behind a write (default: per lookup, from the pack); lower it only for the built-in sandbox')
    .option('-c, --concurrency <n>', 'records in flight at once; the steps of one record stay in order (default 4 for a one-step map, 1 otherwise)')
    .option('--rate-limit <rate>', 'requests per second for the whole run, e.g. 20/s (default: the provider\'s documented limit; 0 = off)')
    .option('--progress [seconds]', 'when stderr is not a terminal, print a progress line every N seconds (default 10); on a terminal progress is live')
    .option('-q, --quiet', 'print only records that need attention (declined, failed, unknown, needs-review) and the summary')
    .option('--report <file>', 'write a run report (JSON): counts, latency percentiles per operation, retries, 429s, every record')
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
      const { runCommand } = await import('./commands/run.js');
      code = await runCommand(mapFile, { ...opts, resume: ['datamap', ...argv.map(shellQuote)].join(' ') }, io);
    });

  // Modules load on demand: validate and plan never load the HTTP client; the journal, authoring,
  // sandbox and demo commands are registered (and their modules loaded) only when they may be asked for.
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined || !CORE_COMMANDS.has(first)) {
    const [{ registerRunsCommand }, { registerMoreCommands }] = await Promise.all([import('./commands/runs.js'), import('./more-commands.js')]);
    registerRunsCommand(program, io, (c) => { code = c; });
    registerMoreCommands(program, io, (c) => { code = c; });
  }

  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', `one of ${SHELLS.join(', ')}`, choiceOption('<shell>', SHELLS))
    .action((shell: Shell) => {
      io.stdout(completionScript(shell, program, completionValues()));
      code = 0;
    });

  addHelp(program);

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
    io.stderr(`${c.error('error')} ${c.code('internal/error')}: ${(err as Error)?.message ?? String(err)}\n  hint: This is a bug in datamap; please report it with the input that caused it.\n`);
    return 2;
  } finally {
    setColor(false);
  }
}

/** Commander's error text (`error: unknown option '--x'`) as a usage/invalid-argument finding. */
function usageError(text: string): string {
  const message = text.replace(/^error:\s*/i, '').trim();
  return `${c.error('error')} ${c.code('usage/invalid-argument')}: ${message}\n  hint: Run datamap --help, or datamap <command> --help, for the commands and options.\n`;
}

/**
 * Loads an env file with Node's own parser: into process.env through process.loadEnvFile when
 * the CLI runs on the real process, else into the CLI's environment. Variables already set win.
 */
function loadEnvFile(file: string, io: CliIo): void {
  try {
    if (io.env === process.env) {
      process.loadEnvFile(file);
      return;
    }
    const parsed = parseEnv(readFileSync(file, 'utf8'));
    for (const [k, v] of Object.entries(parsed)) if (io.env[k] === undefined) io.env[k] = v;
  } catch (cause) {
    throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `--env-file: cannot read ${file}: ${(cause as Error).message}`, hint: 'Give --env-file a file of NAME=value lines.' }, { cause });
  }
}

/** Fixed values the completion scripts offer, by option and by command argument. */
function completionValues(): CompletionValues {
  const providers = listProviders();
  const environments = [...new Set(providers.flatMap((p) => Object.keys(getProvider(p)?.environments ?? {})))];
  return {
    '--format': FORMATS,
    '--provider': providers,
    '--env': environments,
    'completion:shell': SHELLS,
    'providers:name': providers,
  };
}

/** The body of a `datamap plan` worker thread: bin/plan-worker.cjs starts it from the same bundle (or modules) as bin/datamap.js. */
export async function planWorker(): Promise<void> {
  const { planWorker: body } = await import('../parallel/worker.js');
  body();
}
