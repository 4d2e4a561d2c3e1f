/**
 * The built-in sandbox: stateful local simulators of Revolv3 and Invoiss with fault
 * injection and a ledger, for end-to-end tests, the demo and benchmarks.
 * See docs/sandbox.md for routes, credentials, the test-card catalogue and the fault catalogue.
 */

/** Starts a sandbox; resolves with its handle once it listens. */
export { startSandbox } from './server.js';

/** Fixed credentials every sandbox accepts (also on `Sandbox.credentials`). */
export { DEFAULT_CREDENTIALS, SANDBOX_SETTINGS } from './context.js';

/** The test-card catalogue, the decline amount, the fault amounts and helpers over them. */
export { TEST_CARDS, DECLINE_AMOUNT, FAULT_AMOUNTS, OUTCOMES } from './test-cards.js';

/** Later statuses (ACH settlement, refund confirmation) and the webhook key the sandbox signs with. */
export { SANDBOX_WEBHOOK_KEY } from './revolv3/settlement.js';
export type { SandboxWebhookOptions, SandboxStatusChange } from './revolv3/settlement.js';
export { ACH_RETURN_ACCOUNT } from './test-cards.js';

/** Luhn (mod 10) check, as used to validate card numbers. */
export { luhnValid } from './luhn.js';
export type { TestCard, CardOutcome, OutcomeSpec } from './test-cards.js';

/** Fault kinds, the per-request header name and the default fault delay. */
export { FAULT_KINDS, FAULT_HEADER, DEFAULT_FAULT_LATENCY_MS } from './faults.js';

/** Counts charges per merchant reference, to prove a record was charged exactly once. */
export { countChargesByReference } from './ledger.js';
export type { CountChargesOptions } from './ledger.js';

/** Public types: options, handle, credentials, fault rules, ledger entries, state snapshots. */
export type {
  Sandbox,
  SandboxOptions,
  SandboxCredentials,
  SandboxSettings,
  SandboxStateSnapshot,
  FaultRule,
  FaultKind,
  LedgerEntry,
  LedgerKind,
  LedgerOperation,
  ProviderName,
} from './types.js';
