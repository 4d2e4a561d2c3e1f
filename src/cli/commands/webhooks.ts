import { createServer } from 'node:http';
import type { Command } from 'commander';
import { openJournal } from '../../journal/journal.js';
import { scrubText } from '../../redact/index.js';
import type { StatusChange, StatusUnchanged } from '../../status/apply.js';
import { createWebhookHandler, type WebhookDelivery } from '../../webhooks/handler.js';
import type { CliIo } from '../io.js';
import { integerOption, textOption, urlOption } from '../options.js';
import { journalPath } from './run.js';

const changeText = (c: StatusChange) => `${c.key}/${c.stepId} ${c.from} → ${c.to}${c.status !== undefined ? ` (${String(c.status)}${c.reason ? `: ${c.reason}` : ''})` : ''}`;
const unchangedText = (u: StatusUnchanged) => `${u.key}/${u.stepId} stays ${u.state}: ${u.reason}`;

/** One log line per delivery: what came and what it changed; ids and statuses only, never the body. */
export function deliveryLine(d: WebhookDelivery): string {
  if (d.refused) return `${d.status} refused: ${d.refused}\n`;
  const head = `${d.status} ${d.type ?? '?'}${d.reported ? ` ${Object.entries(d.reported.match).map(([k, v]) => `${k} ${String(v)}`).join(' ')}${d.reported.status !== undefined ? ` ${String(d.reported.status)}` : ''}` : ''}`;
  let what: string;
  if (d.duplicate) what = 'duplicate delivery, ignored';
  else if (d.error) what = `not applied: ${d.error}`;
  else if (!d.applied) what = d.reported ? 'nothing to apply' : 'acknowledged, nothing to apply';
  else if (d.applied.changes.length + d.applied.unchanged.length === 0) what = 'no journaled call matches';
  else what = [...d.applied.changes.map(changeText), ...d.applied.unchanged.map(unchangedText)].join('; ');
  return scrubText(`${head}: ${what}`) + '\n';
}

/** `datamap webhooks serve`: receive a provider's signed webhooks and apply status changes to the journal. */
export function registerWebhooksCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  const webhooks = program.command('webhooks').description('Receive provider webhooks (e.g. Revolv3 InvoiceStatusChanged) and apply them to the run journal');
  webhooks
    .command('serve')
    .description('Listen for signed webhooks and move the journal\'s pending records (ACH settled or returned, refunds confirmed); Ctrl-C stops')
    .option('--port <n>', 'port (0: chosen by the OS)', integerOption('--port', 0, 65535), 0)
    .option('--host <addr>', 'interface to listen on', textOption('--host'), '127.0.0.1')
    .option('--provider <name>', 'provider whose webhooks arrive (default: the only pack that declares webhooks)', textOption('--provider'))
    .option('--journal <path>', 'journal file (default: .datamap/journal.db in the working directory)', textOption('--journal', 'a file path'))
    .option('--url <url>', 'the exact webhook URL configured at the provider (the signature covers it); default: from the Host header and path', urlOption('--url'))
    .addHelpText('after', `
The signing key comes from the environment variable the provider pack names (Revolv3:
REVOLV3_WEBHOOK_KEY, the Webhook Key on the portal's Webhooks page). A delivery with a missing or
wrong signature is answered 401 and changes nothing; a verified one is answered 200 at once and
then applied; a repeated delivery is answered 200 and ignored.

Examples:
  REVOLV3_WEBHOOK_KEY=... datamap webhooks serve --port 8443 --url https://hooks.example.com/revolv3

Exit codes: 0 stopped by SIGINT/SIGTERM; 2 usage, no key, or no such provider.`)
    .action(async (opts: { port: number; host: string; provider?: string; journal?: string; url?: string }) => {
      const journal = openJournal(journalPath(opts.journal, io));
      let handler;
      try {
        handler = createWebhookHandler({
          journal,
          env: io.env,
          ...(opts.provider ? { provider: opts.provider } : {}),
          ...(opts.url ? { url: opts.url } : {}),
          clock: { now: io.now },
          onDelivery: (d) => io.stdout(deliveryLine(d)),
        });
      } catch (err) {
        await journal.close();
        throw err;
      }
      const server = createServer(handler);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port, opts.host, () => resolve());
      });
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      io.stdout(`datamap webhooks (${handler.pack.title}) listening on http://${opts.host}:${port} — journal ${journal.location}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await handler.idle();
      await journal.close();
      setCode(0);
    });
}
