import type { IncomingMessage, ServerResponse } from 'node:http';
import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import type { Journal } from '../journal/journal.js';
import type { ProviderPack } from '../providers/pack-types.js';
import { createHash } from 'node:crypto';
import { getProvider, listProviders } from '../providers/registry.js';
import { scrubText } from '../redact/index.js';
import { applyReportedStatus, type StatusApplied } from '../status/apply.js';
import { decodeWebhook, statusReport, WebhookDecodeError, type WebhookEvent } from './decode.js';
import { verifyWebhookSignature } from './verify.js';

/** What one delivery did (given to `onDelivery`; holds ids and statuses, never the body). */
export interface WebhookDelivery {
  /** The HTTP status answered. */
  status: number;
  /** Why it was refused (401, 400, 405, 413), in words. */
  refused?: string;
  /** The event's type, once verified and decoded. */
  type?: string;
  /** True when the same delivery was seen before: answered 200, nothing applied again. */
  duplicate?: boolean;
  /** The ids and status the event reported, when it is a status event. */
  reported?: { match: Record<string, string | number>; status?: unknown };
  /** What applying it to the journal did. */
  applied?: StatusApplied;
  /** Why applying it failed (a later redelivery is applied again). */
  error?: string;
}

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /** The provider whose webhooks arrive here (a pack or its name); it must declare `webhooks`. Default: the only pack that does. */
  provider?: ProviderPack | string;
  /** The journal the reported statuses are applied to. */
  journal: Journal;
  /** The signing key; default: the environment variable the pack names (`webhooks.keyEnv`). */
  key?: string;
  /** Environment to read the key from; default process.env. */
  env?: Record<string, string | undefined>;
  /**
   * The exact URL the provider sends to (the signature covers it): a string, or a function of
   * the request. Default: `http://` (or `x-forwarded-proto`) + the Host header + the request path.
   */
  url?: string | ((req: IncomingMessage) => string);
  /** Time of journal writes; default Date.now. */
  clock?: {
    /** Milliseconds since the epoch. */
    now(): number;
  };
  /** Called after each delivery is answered and applied (logs, tests). */
  onDelivery?: (d: WebhookDelivery) => void;
  /**
   * Delivery keys also kept in memory, in front of the journal's own record of deliveries
   * (which survives restarts and is shared by every receiver of the journal); default 10,000.
   */
  remember?: number;
  /** Largest body accepted, in bytes; default 1 MiB. */
  maxBytes?: number;
}

/** A Node request handler (`http.createServer(handler)` or a route of an existing server). */
export interface WebhookHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Resolves once every delivery accepted so far has been applied (tests, shutdown). */
  idle(): Promise<void>;
  /** The provider pack the handler verifies for. */
  readonly pack: ProviderPack;
}

/** The pack for a webhook receiver: the one named, or the only pack that declares webhooks. */
export function webhookProvider(provider?: ProviderPack | string): ProviderPack & { webhooks: NonNullable<ProviderPack['webhooks']> } {
  const withHooks = listProviders().map((n) => getProvider(n)).filter((p): p is ProviderPack => !!p?.webhooks);
  let pack: ProviderPack | undefined;
  if (typeof provider === 'object') pack = provider;
  else if (provider !== undefined) {
    pack = getProvider(provider);
    if (!pack) throw new DatamapError(diagnostic('webhooks/no-provider', `There is no provider pack "${provider}"`, { hint: `Packs that declare webhooks: ${withHooks.map((p) => p.name).join(', ') || 'none'}.` }));
  } else if (withHooks.length === 1) pack = withHooks[0];
  else throw new DatamapError(diagnostic('webhooks/no-provider', 'Name the provider whose webhooks arrive here', { hint: `Give --provider; packs that declare webhooks: ${withHooks.map((p) => p.name).join(', ') || 'none'}.` }));
  if (!pack!.webhooks) throw new DatamapError(diagnostic('webhooks/no-provider', `The ${pack!.name} pack declares no webhooks`, { hint: `Packs that declare webhooks: ${withHooks.map((p) => p.name).join(', ') || 'none'}.` }));
  return pack as ProviderPack & { webhooks: NonNullable<ProviderPack['webhooks']> };
}

/**
 * A webhook receiver for any Node HTTP server. It reads the raw body, verifies the signature
 * the pack describes (a missing or wrong one: 401, nothing changes), decodes the event, answers
 * 200 at once, then applies a status event to the journal, once per delivery (deliveries are at
 * least once; a repeated one, even after a restart or at another receiver of the same journal,
 * is answered 200 and ignored: the journal remembers every delivery).
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const pack = webhookProvider(options.provider);
  const spec = pack.webhooks;
  const key = options.key ?? (options.env ?? process.env)[spec.keyEnv];
  if (!key) {
    throw new DatamapError(diagnostic('webhooks/missing-key', `No ${pack.title} webhook key: ${spec.keyEnv} is not set`, { hint: `Set ${spec.keyEnv} to the webhook key the provider gives (${pack.title}: the portal's Webhooks page).` }));
  }
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const remember = options.remember ?? 10_000;
  const now = () => (options.clock ?? Date).now();
  const seen = new Set<string>();
  let queue: Promise<void> = Promise.resolve();
  const report = (d: WebhookDelivery) => {
    try {
      options.onDelivery?.(d);
    } catch {
      // a logging callback never breaks the receiver
    }
  };
  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>, refused?: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
    if (refused) report({ status, refused });
  };

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return answer(res, 405, { message: 'POST only' }, 'not a POST');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(c);
    });
    req.on('error', () => { if (!res.headersSent) answer(res, 400, { message: 'could not read the body' }, 'unreadable body'); });
    req.on('end', () => {
      if (tooLarge) return answer(res, 413, { message: 'body too large' }, `body over ${maxBytes} bytes`);
      const raw = Buffer.concat(chunks);
      const url = typeof options.url === 'function' ? options.url(req) : options.url ?? defaultUrl(req);
      const header = req.headers[spec.signature.header.toLowerCase()];
      const signature = Array.isArray(header) ? header[0] : header;
      if (!verifyWebhookSignature(spec.signature, key, url, raw, signature)) {
        return answer(res, 401, { message: `missing or invalid ${spec.signature.header}` }, signature ? 'invalid signature' : 'no signature');
      }
      queue = queue.then(() => handleVerified(res, raw));
    });
  }) as WebhookHandler;

  const handleVerified = async (res: ServerResponse, raw: Buffer): Promise<void> => {
    let event: WebhookEvent;
    try {
      event = await decodeWebhook(spec, raw.toString('utf8'));
    } catch (err) {
      const why = err instanceof WebhookDecodeError ? err.message : 'the body cannot be read';
      return answer(res, 400, { message: why }, why);
    }
    // at least once: a delivery seen before (by this process, or by any receiver or restart
    // sharing the journal) is answered 200 and not applied again
    let duplicate = seen.has(event.dedupeKey);
    const ignored = (spec.ignore ?? []).includes(event.type);
    let markError: string | undefined;
    if (!duplicate && !ignored) {
      try {
        // by hash: a delivery's key is made of the event's fields, which a hostile body may fill
        // with card data; base64url, not hex: a hex digest can hold a run of digits that reads as
        // a card number to a scanner of the journal file
        duplicate = !(await options.journal.store.markDelivery(deliveryId(pack.name, event.dedupeKey), now()));
      } catch (err) {
        // the journal cannot note it now: apply anyway (applying a status twice changes nothing)
        markError = scrubText((err as Error)?.message ?? String(err));
      }
      seen.add(event.dedupeKey);
      if (seen.size > remember) seen.delete(seen.values().next().value!);
    }
    // the provider asks for a fast 200: answer first, apply after
    answer(res, 200, { received: true, duplicate });
    const d: WebhookDelivery = { status: 200, type: event.type, duplicate };
    if (duplicate || ignored) return report(d);
    try {
      const status = await statusReport(spec, event);
      if (status) {
        d.reported = { match: status.match };
        if (status.status !== undefined) d.reported.status = status.status;
        const what = Object.entries(status.match).map(([k, v]) => `${k} ${String(v)}`).join(', ');
        d.applied = await applyReportedStatus(options.journal, pack, status, { now: now(), note: `webhook ${event.type}: ${what}` });
      }
    } catch (err) {
      // answered 200, so the provider will not send it again: `datamap runs sync` looks it up
      d.error = scrubText(`${(err as Error)?.message ?? String(err)} (not applied; \`datamap runs sync\` looks the status up)`);
    }
    if (markError && !d.error) d.error = `the delivery could not be noted in the journal (${markError}); it was applied`;
    report(d);
  };

  handler.idle = async () => {
    // the queue may grow while we wait: wait until it stops changing
    for (;;) {
      const q = queue;
      await q;
      await new Promise((r) => setImmediate(r));
      if (q === queue) return;
    }
  };
  Object.defineProperty(handler, 'pack', { value: pack });
  return handler;
}

/** The journal's id of a delivery: sha256 of the pack and the de-duplication key, base64url. */
function deliveryId(pack: string, dedupeKey: string): string {
  return createHash('sha256').update(`${pack}:${dedupeKey}`).digest('base64url');
}

function defaultUrl(req: IncomingMessage): string {
  const proto = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() || 'http';
  return `${proto}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
}
