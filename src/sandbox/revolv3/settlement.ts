/**
 * Later status changes, as Revolv3 documents them: an ACH payment is answered Pending at once
 * and settles (Paid) or is returned (Noncollectable) 1-5 business days later; a refund is
 * RefundPending until it is confirmed (Refund / PartialRefund). The sandbox keeps each change
 * scheduled, applies it after `settleAfterMs` (or at once on `settle()`), and, when a webhook
 * URL is configured, sends a signed InvoiceStatusChanged webhook ("Object" payload: a `Body`
 * JSON string) — signed here from the docs' formula, independently of src/webhooks.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SandboxContext } from '../context.js';
import type { Invoice } from './state.js';

/** Webhook sending of one sandbox. */
export interface SandboxWebhookOptions {
  /** The full URL webhooks are sent to (the signature covers it), e.g. `http://127.0.0.1:4000/webhooks`. */
  url?: string;
  /** Webhook signing key; default `sandbox-webhook-key` (also on `Sandbox.webhookKey`). */
  key?: string;
  /**
   * Milliseconds after which a scheduled change (ACH settles or is returned, a refund is
   * confirmed) happens by itself; default: never by itself, only on `Sandbox.settle()`.
   */
  settleAfterMs?: number;
}

/** One status change the sandbox made later, and the webhook it sent for it. */
export interface SandboxStatusChange {
  invoiceId: number;
  merchantInvoiceRefId: string | null;
  from: string;
  to: string;
  why: 'ach-settled' | 'ach-returned' | 'refund-confirmed';
  /** The webhook's answer (HTTP status), or why it could not be sent; absent without a webhook URL. */
  webhook?: { status?: number; error?: string };
}

/** The default webhook key (the portal's "Webhook Key" of the sandbox merchant). */
export const SANDBOX_WEBHOOK_KEY = 'sandbox-webhook-key';

interface Scheduled {
  invoiceId: number;
  to: string;
  why: SandboxStatusChange['why'];
  timer?: NodeJS.Timeout;
}

/** The changes waiting and done, per sandbox. */
export class Settlements {
  private waiting: Scheduled[] = [];
  private done: SandboxStatusChange[] = [];
  private sending = new Set<Promise<void>>();

  constructor(private readonly ctx: SandboxContext, private readonly options: SandboxWebhookOptions = {}) {}

  get key(): string {
    return this.options.key ?? SANDBOX_WEBHOOK_KEY;
  }

  /** Schedules a later status of an invoice. */
  schedule(invoice: Invoice, to: string, why: Scheduled['why']): void {
    const s: Scheduled = { invoiceId: invoice.invoiceId, to, why };
    this.waiting.push(s);
    if (this.options.settleAfterMs !== undefined) {
      s.timer = setTimeout(() => this.apply(s), this.options.settleAfterMs);
      s.timer.unref?.();
    }
  }

  /** Applies every waiting change now; resolves once their webhooks are answered. */
  async settle(): Promise<SandboxStatusChange[]> {
    const before = this.done.length;
    this.settleNow();
    await this.idle();
    return this.list().slice(before);
  }

  /** Applies every waiting change now (webhooks go out in the background); returns how many. */
  settleNow(): number {
    const all = [...this.waiting];
    for (const s of all) this.apply(s);
    return all.length;
  }

  /** Resolves when no webhook is being sent. */
  async idle(): Promise<void> {
    while (this.sending.size) await Promise.all([...this.sending]);
  }

  /** Changes made so far, oldest first. */
  list(): SandboxStatusChange[] {
    return this.done.map((c) => ({ ...c, ...(c.webhook ? { webhook: { ...c.webhook } } : {}) }));
  }

  /** Waiting changes (count). */
  get pending(): number {
    return this.waiting.length;
  }

  clear(): void {
    for (const s of this.waiting) if (s.timer) clearTimeout(s.timer);
    this.waiting = [];
    this.done = [];
  }

  private apply(s: Scheduled): void {
    const i = this.waiting.indexOf(s);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    if (s.timer) clearTimeout(s.timer);
    const invoice = this.ctx.revolv3.invoices.get(s.invoiceId);
    if (!invoice) return;
    const from = invoice.invoiceStatus;
    invoice.invoiceStatus = s.to;
    const last = invoice.attempts[invoice.attempts.length - 1];
    if (last && s.why !== 'refund-confirmed') {
      last.invoiceAttemptStatus = s.to === 'Paid' ? 'Success' : 'Fail';
      if (s.why === 'ach-returned') {
        last.responseCode = 'R01';
        last.responseMessage = 'Insufficient Funds (ACH return)';
        last.revolv3ResponseCode = 'R01';
        last.revolv3ResponseMessage = 'Insufficient Funds (ACH return)';
      }
    }
    this.ctx.ledger.restate(invoice.invoiceId, s.to, s.why !== 'ach-returned');
    const change: SandboxStatusChange = { invoiceId: invoice.invoiceId, merchantInvoiceRefId: invoice.merchantInvoiceRefId, from, to: s.to, why: s.why };
    this.done.push(change);
    if (this.options.url) {
      const p = this.send(invoice).then((r) => { change.webhook = r; });
      this.sending.add(p);
      void p.finally(() => this.sending.delete(p));
    }
  }

  /** The "Object" payload of an InvoiceStatusChanged webhook (PascalCase, Body as a JSON string). */
  body(invoice: Invoice): string {
    const event = {
      EventType: 'InvoiceStatusChanged',
      EventDateTime: this.ctx.iso(),
      RevolvMerchantId: 'sandbox-merchant',
      Invoice: {
        InvoiceId: invoice.invoiceId,
        MerchantInvoiceRefId: invoice.merchantInvoiceRefId,
        InvoiceStatus: invoice.invoiceStatus,
        NetworkTransactionId: invoice.networkTransactionId,
        InvoiceAttempts: invoice.attempts.map((a) => ({ InvoiceAttemptDate: a.invoiceAttemptDate, ResponseCode: a.responseCode, ResponseMessage: a.responseMessage })),
        PaymentMethod: { PaymentMethodId: invoice.paymentMethodId },
      },
    };
    return JSON.stringify({ Body: JSON.stringify(event), Entropy: randomBytes(8).toString('hex') });
  }

  /** Base64 HMAC-SHA256 of url + "$" + body, keyed by the webhook key (the docs' C# and PHP samples). */
  sign(url: string, body: string): string {
    return createHmac('sha256', Buffer.from(this.key, 'utf8')).update(`${url}$${body}`, 'utf8').digest('base64');
  }

  private send(invoice: Invoice): Promise<{ status?: number; error?: string }> {
    const url = this.options.url!;
    const body = this.body(invoice);
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-revolv3-signature': this.sign(url, body) },
      timeout: 10_000,
    });
    return new Promise((resolve) => {
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e) => resolve({ error: e.message }));
      req.end(body);
    });
  }
}
