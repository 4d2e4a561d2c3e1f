/**
 * Revolv3 payment methods: validating the `paymentMethod` object (card or ACH), storing it
 * tokenised (BIN + last 4 only), and presenting it in responses.
 */
import type { SandboxContext } from '../context.js';
import { luhnValid } from '../luhn.js';
import { outcomeForCard } from '../test-cards.js';
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

/** Validates an address (BillingAddress rules from the docs). */
export function parseAddress(c: Checker, raw: JsonObject | undefined, path: string): Omit<Address, 'addressId'> | null {
  if (raw === undefined) return null;
  return {
    addressLine1: c.string(raw, 'addressLine1', `${path}.addressLine1`, { min: 2, max: 40 }) ?? null,
    addressLine2: c.string(raw, 'addressLine2', `${path}.addressLine2`, { max: 40 }) ?? null,
    city: c.string(raw, 'city', `${path}.city`, { max: 25 }) ?? null,
    state: c.string(raw, 'state', `${path}.state`, { pattern: /^[A-Za-z]{2}$/, hint: 'must be exactly 2 letters.' }) ?? null,
    postalCode: c.string(raw, 'postalCode', `${path}.postalCode`, { min: 2, max: 20 }) ?? null,
    phoneNumber: c.string(raw, 'phoneNumber', `${path}.phoneNumber`, { max: 30 }) ?? null,
    email: c.string(raw, 'email', `${path}.email`, { max: 150 }) ?? null,
    country: c.string(raw, 'country', `${path}.country`, { min: 2, max: 3 }) ?? null,
  };
}

/** Validates a `paymentMethod` object; undefined (with errors recorded) when invalid. */
export function parsePaymentMethod(c: Checker, raw: JsonObject | undefined, path: string): PaymentMethodInput | undefined {
  if (raw === undefined) return undefined;
  const before = c.errors.length;
  const creditCard = c.object(raw, 'creditCard', `${path}.creditCard`);
  const ach = c.object(raw, 'ach', `${path}.ach`);
  const input: PaymentMethodInput = {
    billingAddress: parseAddress(c, c.object(raw, 'billingAddress', `${path}.billingAddress`), `${path}.billingAddress`),
    billingFirstName: c.string(raw, 'billingFirstName', `${path}.billingFirstName`, { max: 150 }) ?? null,
    billingLastName: c.string(raw, 'billingLastName', `${path}.billingLastName`, { max: 150 }) ?? null,
    billingFullName: c.string(raw, 'billingFullName', `${path}.billingFullName`, { max: 300 }) ?? null,
    merchantPaymentMethodRefId: c.string(raw, 'merchantPaymentMethodRefId', `${path}.merchantPaymentMethodRefId`, { max: 100 }) ?? null,
  };
  if (creditCard && ach) c.add(`${path}: only one payment method type may be sent.`);
  else if (creditCard) {
    const pan = c.string(creditCard, 'paymentAccountNumber', `${path}.creditCard.paymentAccountNumber`, {
      required: true,
      pattern: /^\d{12,19}$/,
      hint: 'must be 12 to 19 digits.',
    });
    if (pan !== undefined && !luhnValid(pan)) c.add(`${path}.creditCard.paymentAccountNumber: is not a valid card number.`);
    const expirationDate = c.string(creditCard, 'expirationDate', `${path}.creditCard.expirationDate`, {
      required: true,
      pattern: /^(0[1-9]|1[0-2])\d{2}$/,
      hint: 'must be MMYY.',
    });
    c.string(creditCard, 'securityCode', `${path}.creditCard.securityCode`, { pattern: /^\d{3,4}$/, hint: 'must be 3 or 4 digits.' });
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
    outcome: input.card ? outcomeForCard(input.card.pan) : 'approve',
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
