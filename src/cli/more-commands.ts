import type { Command } from 'commander';
import { runDemo, startSandbox, type Outcome } from '../index.js';
import type { CliIo } from './io.js';
import { integerOption, textOption, urlOption } from './options.js';
import { formatResultLine } from './commands/run.js';
import { registerProvidersCommand } from './commands/providers.js';
import { registerInitCommand } from './commands/init.js';
import { registerTestCommand } from './commands/test.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerStudioCommand } from './commands/studio.js';
import { registerWebhooksCommand } from './commands/webhooks.js';

/** The authoring commands (test, explain, init, providers), then sandbox and demo. */
export function registerMoreCommands(program: Command, io: CliIo, setCode: (code: number) => void): void {
  registerTestCommand(program, io, setCode);
  registerExplainCommand(program, io, setCode);
  registerInitCommand(program, io, setCode);
  registerProvidersCommand(program, io, setCode);
  registerStudioCommand(program, io, setCode);
  registerWebhooksCommand(program, io, setCode);
  program
    .command('sandbox')
    .description('Start the built-in stateful Invoiss and Revolv3 simulators on 127.0.0.1 (Ctrl-C stops)')
    .option('--port <n>', 'port (0: chosen by the OS)', integerOption('--port', 0, 65535), 0)
    .option('--seed <s>', 'seed for deterministic ids', textOption('--seed'), 'sandbox')
    .option('--rate-limit <n>', 'requests per second per credential before a 429 (0: no limit)', integerOption('--rate-limit', 0, 1_000_000), 20)
    .option('--webhook-url <url>', 'send signed Revolv3 InvoiceStatusChanged webhooks here when an ACH payment settles or is returned, or a refund is confirmed', urlOption('--webhook-url'))
    .option('--settle-after <ms>', 'milliseconds after which those changes happen by themselves (default: only on POST /_admin/settle)', integerOption('--settle-after', 0, 24 * 3600 * 1000))
    .action(async (opts: { port: number; seed: string; rateLimit: number; webhookUrl?: string; settleAfter?: number }) => {
      const rateLimitPerSecond = opts.rateLimit;
      const webhooks = { ...(opts.webhookUrl ? { url: opts.webhookUrl } : {}), ...(opts.settleAfter !== undefined ? { settleAfterMs: opts.settleAfter } : {}) };
      const sandbox = await startSandbox({ port: opts.port, seed: opts.seed, rateLimitPerSecond, webhooks });
      io.stdout([
        `datamap sandbox listening on ${sandbox.url}`,
        `  Revolv3 base URL: ${sandbox.baseUrls.revolv3}`,
        `  Invoiss base URL: ${sandbox.baseUrls.invoiss}`,
        `  rate limit: ${rateLimitPerSecond === 0 ? 'off' : `${rateLimitPerSecond} requests per second per credential (429 with Retry-After beyond it)`}`,
        `  admin: ${sandbox.url}/_admin/ledger, /_admin/faults, /_admin/reset, /_admin/settle (see docs/sandbox.md)`,
        ...(opts.webhookUrl ? [`  webhooks to ${opts.webhookUrl}, signed with REVOLV3_WEBHOOK_KEY=${sandbox.webhookKey}`] : []),
        '  sandbox-only credentials and settings (fixed, public test values):',
        ...Object.entries(sandbox.env).map(([k, v]) => `    export ${k}=${v}`),
        `  e.g. datamap run mappings/field-service-to-revolv3.yaml --input examples/field-service/invoices.json --base-url ${sandbox.baseUrls.revolv3}`,
        '',
      ].join('\n'));
      await new Promise<void>((resolve) => {
        if (io.onSignal) {
          const off = io.onSignal(() => {
            off();
            resolve();
          });
        } else {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        }
      });
      await sandbox.close();
      setCode(0);
    });

  program
    .command('demo')
    .description('Start the sandbox in-process and run every shipped Data Map on its sample records (what npm start does)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      let current = '';
      let second = false;
      if (!opts.json) io.stdout('datamap demo: every shipped Data Map, run for real over HTTP against the built-in sandbox (no network, no credentials), then run again over the same journal.\n');
      const report = await runDemo({
        onSecondPass: () => {
          second = true;
          current = '';
          if (!opts.json) io.stdout('\n── Second pass: the same maps and records again, over the same journal (a re-run is a resume) ──\n');
        },
        onResult: (map, r) => {
          if (opts.json) return;
          if (map.file !== current) {
            current = map.file;
            io.stdout(`\n${map.name}  (${map.file} → ${map.provider})\n`);
          }
          io.stdout('  ' + formatResultLine(r).replace(/\n(?=.)/g, '\n  '));
        },
      });
      void second;
      const tally = (runs: typeof report.runs) => {
        const counts: Record<Outcome, number> = { succeeded: 0, declined: 0, pending: 0, failed: 0, unknown: 0, 'needs-review': 0, skipped: 0 };
        let total = 0;
        let replayed = 0;
        for (const run of runs) for (const r of run.results) { counts[r.outcome]++; total++; if (r.replayed) replayed++; }
        return { counts, total, replayed };
      };
      const first = tally(report.runs);
      const again = tally(report.rerun);
      const duplicates = Object.entries(report.chargesPerReference).filter(([, n]) => n > 1);
      const text = (t: ReturnType<typeof tally>) => Object.entries(t.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
      if (opts.json) {
        io.stdout(JSON.stringify({ ...report, summary: { total: first.total, ...first.counts }, rerunSummary: { total: again.total, ...again.counts, replayed: again.replayed } }, null, 2) + '\n');
      } else {
        io.stdout(`\nFirst pass: ${first.total} records — ${text(first)}\n`);
        io.stdout(`Second pass: ${again.total} records — ${text(again)}; ${again.replayed} replayed from the journal, ${report.rerunMoneyCalls} calls made\n`);
        io.stdout(`Sandbox ledger: ${report.ledgerBeforeRerun} entries before the second pass, ${report.ledgerAfterRerun} after; ${Object.keys(report.chargesPerReference).length} references charged, ${duplicates.length === 0 ? 'none charged twice' : `CHARGED TWICE: ${duplicates.map(([k]) => k).join(', ')}`}\n`);
      }
      const bad = first.counts.failed + first.counts.unknown + first.counts['needs-review'] + duplicates.length + report.rerunMoneyCalls + (report.ledgerAfterRerun - report.ledgerBeforeRerun);
      setCode(bad === 0 ? 0 : 1);
    });
}
