/**
 * Public types of the sandbox: options, the running handle, credentials, the ledger entry
 * and the fault rule. Kept free of runtime code so every other sandbox file can import it.
 */

import type { SandboxStatusChange, SandboxWebhookOptions } from './revolv3/settlement.js';

/** Which simulated provider a request, rule or ledger entry belongs to. */
export type ProviderName = 'revolv3' | 'invoiss';

/** Options for {@link startSandbox}. Every field is optional. */
export interface SandboxOptions {
  /** TCP port; default 0, i.e. chosen by the operating system. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Seed for deterministic ids (same seed and same calls give the same ids); default `"sandbox"`. */
  seed?: string | number;
  /** Injected clock in epoch milliseconds; default `Date.now`. Drives token expiry, the rate limiter and timestamps. */
  now?: () => number;
  /** Requests allowed per credential within any one second (by the injected clock); default 20; 0 disables the limit. */
  rateLimitPerSecond?: number;
  /** Lifetime of legacy Revolv3 bearer tokens in seconds; default 3599. */
  tokenTtlSeconds?: number;
  /**
   * Later statuses as Revolv3 documents them (an ACH payment settles or is returned, a refund
   * is confirmed) and the signed InvoiceStatusChanged webhooks sent for them.
   */
  webhooks?: SandboxWebhookOptions;
}

/**
 * The fixed credentials the sandbox accepts, named like the environment variables the provider
 * packs read. A type alias (not an interface) so it is assignable as it is to the `credentials`
 * option of `runRecords`, which takes any name → value record.
 */
export type SandboxCredentials = {
  /** Revolv3 static token, sent as `x-revolv3-token`. */
  REVOLV3_TOKEN: string;
  /** Revolv3 legacy client id for `POST /api/Authentication/token`. */
  REVOLV3_CLIENT_ID: string;
  /** Revolv3 legacy client secret for `POST /api/Authentication/token`. */
  REVOLV3_CLIENT_SECRET: string;
  /** Invoiss token, sent as `Authorization: <token>` or `Authorization: Bearer <token>`. */
  INVOISS_TOKEN: string;
};

/** Setting values the sandbox accepts, named like the environment variables the shipped maps read. */
export interface SandboxSettings {
  INVOISS_COMPANY_ID: string;
  INVOISS_SIGNATURE: string;
  INVOISS_GATEWAY_ID: string;
  INVOISS_PAYMENT_STATUS: string;
  /** `host`: the sandbox adds no tax, so the Shopify → Revolv3 map sends the tax as a line. */
  REVOLV3_TAX_BY: string;
}

/** The kinds of fault the sandbox can inject. */
export type FaultKind =
  | 'latency'
  | 'error-before'
  | 'error-after'
  | 'reset-after'
  | 'slow-body'
  | 'unavailable'
  | 'rate-limit';

/**
 * A fault to inject into matching requests. Every given criterion must match.
 * `path` is matched case-insensitively against the request path, both without and with the
 * provider prefix (`/api/Payments/sale` and `/revolv3/api/Payments/sale`): a plain string is a
 * substring, a string written as `/regex/flags` (or a RegExp) is a regular expression.
 */
export interface FaultRule {
  kind: FaultKind;
  provider?: ProviderName;
  path?: string | RegExp;
  /** HTTP method, case-insensitive. */
  method?: string;
  /** How many matching requests it applies to before it is removed; default 1. */
  times?: number;
  /** Delay for `latency` (before handling) and `slow-body` (spread over the body); default 50. */
  latencyMs?: number;
}

/** What a ledger entry records. `charge` covers sales, invoice payments, captures and Invoiss payments. */
export type LedgerKind = 'charge' | 'authorization' | 'refund' | 'void' | 'reverse-auth';

/** The provider call that produced a ledger entry. */
export type LedgerOperation =
  | 'sale'
  | 'invoice-payment'
  | 'capture'
  | 'authorization'
  | 'refund'
  | 'void'
  | 'reverse-auth'
  | 'process';

/**
 * One money movement (or attempt) seen by the sandbox. Never holds a full card number or a
 * security code: at most the BIN (first 6) and the last 4 digits.
 */
export interface LedgerEntry {
  /** 1-based, in order of commit. */
  seq: number;
  provider: ProviderName;
  kind: LedgerKind;
  operation: LedgerOperation;
  /**
   * Revolv3: the invoice's `merchantInvoiceRefId`; for authorizations and reverse-auths, which
   * have no invoice, the payment method's `merchantPaymentMethodRefId` (often null).
   * Invoiss: the order's `externalId`, or the order id when it has none.
   */
  merchantReference: string | null;
  /** Positive amount in major units (refunds too). */
  amount: number;
  currency: string;
  /** Provider status: `Paid`, `Noncollectable`, `Failed`, `Pending`, `Approved`, `Declined`, `Refund`, `PartialRefund`, `Void`, `Reversed`, `PAID`, `DECLINED`. */
  status: string;
  /** True when money moved or may still move (approved, pending, refunded, voided, reversed). */
  approved: boolean;
  invoiceId?: number;
  paymentMethodId?: number;
  paymentMethodAuthorizationId?: number;
  /** Invoiss payment id. */
  paymentId?: string;
  /** Invoiss order id. */
  orderId?: string;
  cardBin?: string;
  cardLast4?: string;
  /** ISO time from the injected clock. */
  at: string;
}

/** Counts of the objects held by one sandbox, plus (when asked) the objects themselves. */
export interface SandboxStateSnapshot {
  revolv3: { customers: number; paymentMethods: number; authorizations: number; invoices: number; tokens: number };
  invoiss: { clients: number; orders: number; payments: number; paymentRequests: number };
  ledgerEntries: number;
  faults: FaultRule[];
  /** Full copies of the stored objects; present when requested. Holds no PAN, CVV or token. */
  data?: { revolv3: Record<string, unknown[]>; invoiss: Record<string, unknown[]> };
}

/** A running sandbox. */
export interface Sandbox {
  /** Root URL, e.g. `http://127.0.0.1:53123`. */
  url: string;
  port: number;
  /** Base URLs to give the provider packs: `${url}/revolv3` and `${url}/invoiss`. */
  baseUrls: { revolv3: string; invoiss: string };
  credentials: SandboxCredentials;
  /** Values the sandbox accepts for the shipped maps' settings, by environment variable name. */
  settings: SandboxSettings;
  /** `credentials` and `settings` together: an environment a shipped map runs in without flags. */
  env: SandboxCredentials & SandboxSettings;
  /** A copy of the ledger, oldest first. */
  ledger(): LedgerEntry[];
  /** Adds a fault rule (same as `POST /_admin/faults`). */
  injectFault(f: FaultRule): void;
  /** Removes every fault rule (same as `DELETE /_admin/faults`). */
  clearFaults(): void;
  /** Forgets all state, ledger, faults, tokens and rate counters; ids restart from the seed. */
  reset(): void;
  /** The key the sandbox signs webhooks with (`webhooks.key`, default `sandbox-webhook-key`). */
  webhookKey: string;
  /**
   * Makes every scheduled later status happen now (ACH payments settle — Paid — or are returned
   * — Noncollectable — refunds are confirmed) and resolves once their webhooks are answered.
   */
  settle(): Promise<SandboxStatusChange[]>;
  /** Later status changes made so far, with the webhook answer of each, oldest first. */
  statusChanges(): SandboxStatusChange[];
  /** A snapshot of the state; `full` adds copies of every stored object. */
  state(full?: boolean): SandboxStateSnapshot;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}
