/**
 * Revolv3 payment methods: validating the `paymentMethod` object (card or ACH), storing it
 * tokenised (BIN + last 4 only), and presenting it in responses.
 */
import type { SandboxContext } from '../context.js';
import { luhnValid } from '../luhn.js';
import { ACH_RETURN_ACCOUNT, outcomeForCard } from '../test-cards.js';
import { Checker, isObject, type JsonObject } from '../validate.js';
import type { Address, StoredPaymentMethod } from './state.js';

/** A validated, not yet stored, payment method. Holds the PAN only until it is stored. */
export interface PaymentMethodInput {
  card?: { pan: string; expirationDate: string };
  ach?: { accountNumber: string; routingNumber: string; accountType: string };
  billingAddress: Omit<Address, 'addressId'> | null;
  billingFirstName: string | null;
  billingLastName: string | null;
  billingFullName: string | null;
  merchantPaymentMethodRefId: string | null;
}

/**
 * Validates an address by the docs' BillingAddress rules (R5): field lengths, a 2-letter state,
 * an ISO alpha-2/alpha-3 country, a 5-digit US postal code, and one of the accepted
 * combinations (addressLine1 + city + state, addressLine1 + postalCode, state + postalCode) or
 * an addressId. Written from the docs, not from the provider pack's schema.
 */
export function parseAddress(c: Checker, raw: JsonObject | undefined, path: string): Omit<Address, 'addressId'> | null {
  if (raw === undefined) return null;
  const before = c.errors.length;
  const addressId = c.id(raw, 'addressId', `${path}.addressId`);
  if (addressId !== undefined && (addressId < 1 || addressId > MAX_ID)) c.add(`${path}.addressId: must be between 1 and ${MAX_ID}.`);
  const country = c.string(raw, 'country', `${path}.country`, { pattern: /^[A-Z]{2,3}$/, hint: 'must be an ISO 3166 alpha-2 or alpha-3 country code (e.g. US or USA).' }) ?? null;
  const us = country === 'US' || country === 'USA';
  const address = {
    addressLine1: c.string(raw, 'addressLine1', `${path}.addressLine1`, { min: 2, max: 40 }) ?? null,
    addressLine2: c.string(raw, 'addressLine2', `${path}.addressLine2`, { max: 40 }) ?? null,
    city: c.string(raw, 'city', `${path}.city`, { min: 2, max: 25 }) ?? null,
    state: c.string(raw, 'state', `${path}.state`, { pattern: /^[A-Za-z]{2}$/, hint: 'must be exactly 2 letters.' }) ?? null,
    postalCode: c.string(raw, 'postalCode', `${path}.postalCode`, us ? { pattern: /^\d{5}$/, hint: 'a US postal code must be exactly 5 digits.' } : { min: 2, max: 20 }) ?? null,
    phoneNumber: c.string(raw, 'phoneNumber', `${path}.phoneNumber`, { max: 30 }) ?? null,
    email: c.string(raw, 'email', `${path}.email`, { max: 150 }) ?? null,
    country,
  };
  const a = address;
  const combination = addressId !== undefined || (a.addressLine1 && a.city && a.state) || (a.addressLine1 && a.postalCode) || (a.state && a.postalCode);
  if (c.errors.length === before && !combination) {
    c.add(`${path}: give an addressId, or addressLine1 with city and state, addressLine1 with postalCode, or state with postalCode.`);
  }
  return address;
}

/** Ids in requests are 1 to 1,000,000,000 (R5, R6). */
export const MAX_ID = 1_000_000_000;

/** The documented payment-method types (names, and the integer form of CreditCard). */
const PAYMENT_METHOD_TYPES: ReadonlyArray<string | number> = ['CreditCard', 'Ach', 'GooglePay', 'ApplePay', 1];

/** Validates a `paymentMethod` object; undefined (with errors recorded) when invalid. */
export function parsePaymentMethod(c: Checker, raw: JsonObject | undefined, path: string): PaymentMethodInput | undefined {
  if (raw === undefined) return undefined;
  const before = c.errors.length;
  const creditCard = c.object(raw, 'creditCard', `${path}.creditCard`);
  const ach = c.object(raw, 'ach', `${path}.ach`);
  const input: PaymentMethodInput = {
    billingAddress: parseAddress(c, c.object(raw, 'billingAddress', `${path}.billingAddress`), `${path}.billingAddress`),
    billingFirstName: c.string(raw, 'billingFirstName', `${path}.billingFirstName`, { max: 100 }) ?? null,
    billingLastName: c.string(raw, 'billingLastName', `${path}.billingLastName`, { max: 100 }) ?? null,
    billingFullName: c.string(raw, 'billingFullName', `${path}.billingFullName`, { max: 100 }) ?? null,
    merchantPaymentMethodRefId: c.string(raw, 'merchantPaymentMethodRefId', `${path}.merchantPaymentMethodRefId`, { max: 100 }) ?? null,
  };
  // R13: the billing name is first + last name, or the full name
  if (!(input.billingFirstName && input.billingLastName) && !input.billingFullName) {
    c.add(`${path}: billingFirstName and billingLastName, or billingFullName, are required.`);
  }
  const types = raw.paymentMethodTypes;
  if (types !== undefined && types !== null) {
    if (!Array.isArray(types)) c.add(`${path}.paymentMethodTypes: must be an array.`);
    else {
      if (types.length !== 1) c.add(`${path}.paymentMethodTypes: exactly one payment method type is allowed.`);
      for (const t of types) if (!PAYMENT_METHOD_TYPES.includes(t as string | number)) c.add(`${path}.paymentMethodTypes: ${JSON.stringify(t)} is not a payment method type.`);
    }
  }
  if (creditCard && ach) c.add(`${path}: only one payment method type may be sent.`);
  else if (creditCard) {
    const pan = c.string(creditCard, 'paymentAccountNumber', `${path}.creditCard.paymentAccountNumber`, {
      required: true,
      pattern: /^\d{12,19}$/,
      hint: 'must be 12 to 19 digits.',
    });
    if (pan !== undefined && !luhnValid(pan)) c.add(`${path}.creditCard.paymentAccountNumber: is not a valid card number.`);
    const written = c.string(creditCard, 'expirationDate', `${path}.creditCard.expirationDate`, {
      required: true,
      pattern: /^(0[1-9]|1[0-2])(\d{2}|\/\d{4})$/,
      hint: 'must be MMYY (or MM/YYYY).',
    });
    const expirationDate = written?.includes('/') ? written.slice(0, 2) + written.slice(-2) : written;
    // the docs send the security code as a string and, in some examples, as a number
    const cvv = creditCard.securityCode;
    if (typeof cvv === 'number') {
      if (!Number.isInteger(cvv) || cvv < 0 || cvv > 9999) c.add(`${path}.creditCard.securityCode: must be 3 or 4 digits.`);
    } else {
      c.string(creditCard, 'securityCode', `${path}.creditCard.securityCode`, { pattern: /^\d{3,4}$/, hint: 'must be 3 or 4 digits.' });
    }
    const method = creditCard.processingMethodType;
    if (method !== undefined && method !== null && method !== 'CreditCard' && method !== 5) c.add(`${path}.creditCard.processingMethodType: ${JSON.stringify(method)} is not a processing method type.`);
    if (pan !== undefined && expirationDate !== undefined) input.card = { pan, expirationDate };
  } else if (ach) {
    const accountNumber = c.string(ach, 'accountNumber', `${path}.ach.accountNumber`, { required: true, pattern: /^\d{4,17}$/, hint: 'must be 4 to 17 digits.' });
    const routingNumber = c.string(ach, 'routingNumber', `${path}.ach.routingNumber`, { required: true, pattern: /^\d{9}$/, hint: 'must be 9 digits.' });
    const accountType = c.string(ach, 'accountType', `${path}.ach.accountType`) ?? 'Checking';
    if (accountNumber !== undefined && routingNumber !== undefined) input.ach = { accountNumber, routingNumber, accountType };
  } else {
    c.add(`${path}: a creditCard or ach object is required.`);
  }
  return c.errors.length === before ? input : undefined;
}

/** Stores a validated method: the card keeps only BIN, last 4 and expiry. */
export function storePaymentMethod(ctx: SandboxContext, input: PaymentMethodInput, customerId: number | null): StoredPaymentMethod {
  const billingAddress = input.billingAddress ? { addressId: ctx.ids.numeric('address'), ...input.billingAddress } : null;
  const pm: StoredPaymentMethod = {
    paymentMethodId: ctx.ids.numeric('paymentMethod'),
    customerId,
    type: input.card ? 'CreditCard' : 'Ach',
    outcome: input.card ? outcomeForCard(input.card.pan) : input.ach?.accountNumber === ACH_RETURN_ACCOUNT ? 'decline' : 'approve',
    card: input.card
      ? { binNumber: input.card.pan.slice(0, 6), paymentLast4Digit: input.card.pan.slice(-4), paymentExpirationDate: input.card.expirationDate }
      : null,
    ach: input.ach
      ? { accountLast4: input.ach.accountNumber.slice(-4), routingNumber: input.ach.routingNumber, accountType: input.ach.accountType }
      : null,
    billingAddressId: billingAddress?.addressId ?? null,
    billingAddress,
    billingFirstName: input.billingFirstName,
    billingLastName: input.billingLastName,
    billingFullName: input.billingFullName,
    merchantPaymentMethodRefId: input.merchantPaymentMethodRefId,
    createdAt: ctx.iso(),
  };
  ctx.revolv3.paymentMethods.set(pm.paymentMethodId, pm);
  return pm;
}

/** Card details as Revolv3 returns them (null for ACH). */
export function presentCardDetails(pm: StoredPaymentMethod): JsonObject | null {
  if (!pm.card) return null;
  return { ...pm.card, accountUpdateMessage: null, accountUpdateDateTime: null, accountUpdateCode: null };
}

/** ACH details as returned (masked account). */
export function presentAchDetails(pm: StoredPaymentMethod): JsonObject | null {
  if (!pm.ach) return null;
  return { accountNumberLast4: pm.ach.accountLast4, routingNumber: pm.ach.routingNumber, accountType: pm.ach.accountType };
}

/** The payment-method object of responses. */
export function presentPaymentMethod(pm: StoredPaymentMethod): JsonObject {
  return {
    paymentMethodId: pm.paymentMethodId,
    billingAddressId: pm.billingAddressId,
    billingAddress: pm.billingAddress,
    billingFirstName: pm.billingFirstName,
    billingLastName: pm.billingLastName,
    billingFullName: pm.billingFullName,
    merchantPaymentMethodRefId: pm.merchantPaymentMethodRefId,
    paymentMethodAchDetails: presentAchDetails(pm),
    paymentMethodCreditCardDetails: presentCardDetails(pm),
  };
}

/** True for a body field holding an object (used by amount extractors, which must not throw). */
export function objectAt(value: unknown, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return isObject(v) ? v : undefined;
}
