/**
 * The documented catalogue of test cards and trigger amounts (see docs/sandbox.md).
 * Any other Luhn-valid card number approves.
 */
import type { FaultKind } from './types.js';

/** What a card (or amount) does when charged. */
export type CardOutcome = 'approve' | 'decline' | 'insufficient-funds' | 'expired-card' | 'processor-error';

/** One catalogue card. */
export interface TestCard {
  number: string;
  brand: 'Visa' | 'Mastercard';
  outcome: CardOutcome;
  description: string;
}

/** The Revolv3 response a card outcome produces. Declines and processor errors are HTTP 200. */
export interface OutcomeSpec {
  invoiceStatus: 'Paid' | 'Noncollectable' | 'Failed' | 'Pending';
  invoiceAttemptStatus: 'Success' | 'Fail' | 'Pending';
  message: string;
  responseCode: string;
  approved: boolean;
}

/** Test cards, all Luhn-valid. Use any future expiry (MMYY) and any 3-digit security code. */
export const TEST_CARDS: readonly TestCard[] = Object.freeze([
  { number: '4111111111111111', brand: 'Visa', outcome: 'approve', description: 'Approved (invoiceStatus Paid)' },
  { number: '2222400010000008', brand: 'Mastercard', outcome: 'approve', description: 'Approved (invoiceStatus Paid)' },
  { number: '4000000000000002', brand: 'Visa', outcome: 'decline', description: 'Declined: Noncollectable, "Declined", code 05' },
  { number: '4000000000009995', brand: 'Visa', outcome: 'insufficient-funds', description: 'Declined: Noncollectable, "Insufficient Funds", code 51' },
  { number: '4000000000000069', brand: 'Visa', outcome: 'expired-card', description: 'Declined: Noncollectable, "Expired Card", code 54' },
  { number: '4000000000000119', brand: 'Visa', outcome: 'processor-error', description: 'HTTP 200, invoiceStatus Failed, "Processor Error", code 96; nothing charged' },
] satisfies TestCard[]);

/** Response fields per outcome. */
export const OUTCOMES: Readonly<Record<CardOutcome, OutcomeSpec>> = Object.freeze({
  approve: { invoiceStatus: 'Paid', invoiceAttemptStatus: 'Success', message: 'Approved', responseCode: '00', approved: true },
  decline: { invoiceStatus: 'Noncollectable', invoiceAttemptStatus: 'Fail', message: 'Declined', responseCode: '05', approved: false },
  'insufficient-funds': { invoiceStatus: 'Noncollectable', invoiceAttemptStatus: 'Fail', message: 'Insufficient Funds', responseCode: '51', approved: false },
  'expired-card': { invoiceStatus: 'Noncollectable', invoiceAttemptStatus: 'Fail', message: 'Expired Card', responseCode: '54', approved: false },
  'processor-error': { invoiceStatus: 'Failed', invoiceAttemptStatus: 'Fail', message: 'Processor Error', responseCode: '96', approved: false },
} satisfies Record<CardOutcome, OutcomeSpec>);

/** An ACH payment is accepted but not final: invoiceStatus Pending. */
export const ACH_PENDING: OutcomeSpec = Object.freeze({
  invoiceStatus: 'Pending',
  invoiceAttemptStatus: 'Pending',
  message: 'Pending',
  responseCode: '00',
  approved: true,
});

/**
 * An ACH account number that is accepted (Pending) and later returned: the payment turns
 * Noncollectable when it settles. Every other account settles Paid.
 */
export const ACH_RETURN_ACCOUNT = '000000000444';

/** A charge of exactly this amount declines on any card, stored method, ACH account or Invoiss order. */
export const DECLINE_AMOUNT = 6.66;

/**
 * Amounts that trigger a fault on every request carrying them (sale, invoice payment,
 * authorization, capture, refund, Invoiss payment), as if sent with `x-sandbox-fault`.
 */
export const FAULT_AMOUNTS: Readonly<Record<FaultKind, number>> = Object.freeze({
  latency: 9001,
  'error-before': 9002,
  'error-after': 9003,
  'reset-after': 9004,
  'slow-body': 9005,
  unavailable: 9006,
  'rate-limit': 9007,
} satisfies Record<FaultKind, number>);

/** Amount in cents, so 6.66 and 6.660000001 compare the way money should. */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

/** The fault an amount triggers, if any. */
export function faultKindForAmount(amount: number): FaultKind | undefined {
  const cents = toCents(amount);
  for (const [kind, value] of Object.entries(FAULT_AMOUNTS) as Array<[FaultKind, number]>) {
    if (toCents(value) === cents) return kind;
  }
  return undefined;
}

/** True when the amount is the catalogue decline amount. */
export function isDeclineAmount(amount: number): boolean {
  return toCents(amount) === toCents(DECLINE_AMOUNT);
}

/** The outcome of charging a card number: its catalogue outcome, else approve. */
export function outcomeForCard(pan: string): CardOutcome {
  return TEST_CARDS.find((c) => c.number === pan)?.outcome ?? 'approve';
}
