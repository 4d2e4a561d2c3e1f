/**
 * The per-instance world a handler sees: clock, ids, ledger, provider state and settings.
 * Several sandboxes each have their own context; nothing is global.
 */
import { IdFactory } from './ids.js';
import { InvoissState } from './invoiss/state.js';
import { Ledger } from './ledger.js';
import { Revolv3State } from './revolv3/state.js';
import { Settlements, type SandboxWebhookOptions } from './revolv3/settlement.js';
import type { SandboxCredentials } from './types.js';

/** Fixed default credentials. */
export const DEFAULT_CREDENTIALS: Readonly<SandboxCredentials> = Object.freeze({
  REVOLV3_TOKEN: 'sandbox-revolv3-token',
  REVOLV3_CLIENT_ID: 'sandbox-revolv3-client-id',
  REVOLV3_CLIENT_SECRET: 'sandbox-revolv3-client-secret',
  INVOISS_TOKEN: 'sandbox-invoiss-token',
});

/**
 * Values the sandbox accepts for the settings the shipped Invoiss maps declare (company,
 * signature, gateway, payment status), named like the environment variables the maps read.
 */
export const SANDBOX_SETTINGS = Object.freeze({
  INVOISS_COMPANY_ID: 'comp_sandbox',
  INVOISS_SIGNATURE: 'sandbox-signature',
  INVOISS_GATEWAY_ID: 'gw_sandbox',
  INVOISS_PAYMENT_STATUS: 'COMPLETED',
  // the sandbox computes no tax (taxAmount 0): the Shopify map then sends the tax as a line
  REVOLV3_TAX_BY: 'host',
});

/** Settings fixed when the sandbox starts. */
export interface ContextSettings {
  seed: string | number;
  now: () => number;
  tokenTtlSeconds: number;
  credentials: SandboxCredentials;
  /** Later status changes and the webhooks sent for them. */
  webhooks?: SandboxWebhookOptions;
}

/** State and services of one sandbox. */
export class SandboxContext {
  readonly ids: IdFactory;
  readonly ledger: Ledger;
  readonly revolv3: Revolv3State;
  readonly invoiss: InvoissState;
  readonly now: () => number;
  readonly tokenTtlSeconds: number;
  readonly credentials: SandboxCredentials;
  /** Scheduled later statuses (ACH settlement or return, refund confirmation) and their webhooks. */
  readonly settlements: Settlements;

  constructor(settings: ContextSettings) {
    this.now = settings.now;
    this.tokenTtlSeconds = settings.tokenTtlSeconds;
    this.credentials = settings.credentials;
    this.ids = new IdFactory(settings.seed);
    this.ledger = new Ledger(settings.now);
    this.revolv3 = new Revolv3State();
    this.invoiss = new InvoissState();
    this.settlements = new Settlements(this, settings.webhooks);
  }

  /** The injected clock as an ISO string. */
  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Forgets everything; ids restart from the seed. */
  reset(): void {
    this.ids.reset();
    this.ledger.clear();
    this.revolv3.clear();
    this.invoiss.clear();
    this.settlements.clear();
  }
}
