import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { listProviders, startStudio } from '../../index.js';
import type { CliIo } from '../io.js';
import { choiceOption, fileOption, integerOption, textOption } from '../options.js';

interface StudioCommandOptions {
  input?: string;
  port: number;
  open?: boolean;
  provider?: string;
  journal?: string;
}

/**
 * Registers `datamap studio [map] [--input records] [--port N] [--open]`: serves the studio page
 * on 127.0.0.1 and prints its URL (with its token) until Ctrl-C.
 */
export function registerStudioCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('studio')
    .description('Serve a local page (127.0.0.1) to edit a Data Map with live plan, explain, provider reference, tests and sandbox runs')
    .argument('[map]', 'Data Map file (created on Save when it does not exist)', 'mapping.yaml')
    .option('-i, --input <file>', 'sample records: JSON object, JSON array or NDJSON', fileOption('--input'))
    .option('--port <n>', 'port on 127.0.0.1 (0: chosen by the OS)', integerOption('--port', 0, 65535), 0)
    .option('--provider <name>', 'provider pack of the starter map when the file does not exist yet', choiceOption('--provider', listProviders()))
    .option('--journal <path>', 'run journal to show read-only (default: .datamap/journal.db, when it exists)', textOption('--journal'))
    .option('--open', 'open the page in the default browser')
    .action(async (map: string, opts: StudioCommandOptions) => {
      const studio = await startStudio({
        map, port: opts.port, ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.provider !== undefined ? { provider: opts.provider } : {}),
        ...(opts.journal !== undefined ? { journal: opts.journal } : {}),
      });
      io.stdout([
        `datamap studio: ${studio.mapFile}`,
        `  open ${studio.url}`,
        '  (127.0.0.1 only; the token in the URL is required. The file changes only when you press Save. Ctrl-C stops.)',
        '',
      ].join('\n'));
      if (opts.open) openBrowser(studio.url, io);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await studio.close();
      setCode(0);
    });
}

/** Opens a URL with the platform's opener; says so when there is none. */
function openBrowser(url: string, io: CliIo): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => io.stderr(`  could not start ${cmd}; open the URL above by hand\n`));
    child.unref();
  } catch {
    io.stderr(`  could not start ${cmd}; open the URL above by hand\n`);
  }
}
