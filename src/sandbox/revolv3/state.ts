/**
 * Revolv3 entities held in memory. Stored payment methods keep only the BIN and the last 4
 * digits (plus the catalogue outcome of the card, so a stored test card still declines);
 * never the full number or the security code.
 */
import type { CardOutcome } from '../test-cards.js';

/** A billing or shipping address as stored. */
export interface Address {
  addressId: number;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  phoneNumber: string | null;
  email: string | null;
  country: string | null;
}

export interface Customer {
  customerId: number;
  merchantCustomerRefId: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  billingAddresses: Address[];
  shippingAddresses: Address[];
  createdAt: string;
}

export interface CardDetails {
  binNumber: string;
  paymentLast4Digit: string;
  paymentExpirationDate: string;
}

export interface AchDetails {
  accountLast4: string;
  routingNumber: string;
  accountType: string;
}

export interface StoredPaymentMethod {
  paymentMethodId: number;
  customerId: number | null;
  type: 'CreditCard' | 'Ach';
  /** Catalogue outcome of the card (ACH methods: `approve`, and they charge as Pending). */
  outcome: CardOutcome;
  card: CardDetails | null;
  ach: AchDetails | null;
  billingAddressId: number | null;
  billingAddress: Address | null;
  billingFirstName: string | null;
  billingLastName: string | null;
  billingFullName: string | null;
  merchantPaymentMethodRefId: string | null;
  createdAt: string;
}

export interface Authorization {
  paymentMethodAuthorizationId: number;
  paymentMethodId: number;
  amount: number;
  currency: string;
  status: 'Authorized' | 'Captured' | 'Reversed';
  capturedAmount: number;
  networkTransactionId: string;
  capturedInvoiceId: number | null;
  createdAt: string;
}

export interface InvoiceLineItem {
  invoiceLineItemId: number;
  name: string;
  description: string | null;
  value: number;
  valueType: string;
}

export interface InvoiceAttempt {
  invoiceAttemptId: number;
  /** Positive for charges, negative for refunds. */
  amount: number;
  invoiceAttemptStatus: string;
  invoiceAttemptDate: string;
  paymentProcessor: string;
  processorTransactionId: string | null;
  responseCode: string;
  responseMessage: string;
  authCode: string | null;
  revolv3ResponseCode: string;
  revolv3ResponseMessage: string;
  processorResponseDateTime: string;
}

export interface Invoice {
  invoiceId: number;
  /** Set on refund invoices: the invoice refunded. */
  parentInvoiceId: number | null;
  kind: 'payment' | 'refund';
  customerId: number | null;
  merchantInvoiceRefId: string | null;
  paymentMethodId: number | null;
  invoiceStatus: string;
  subtotal: number;
  tax: number;
  total: number;
  currency: string;
  billingDate: string;
  networkTransactionId: string | null;
  lineItems: InvoiceLineItem[];
  attempts: InvoiceAttempt[];
  /** Sum refunded so far (payment invoices). */
  refundedTotal: number;
}

/** Issued legacy bearer tokens: token → client and expiry (epoch ms). */
export interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

/** The fixture customer the seed one-time-payment example refers to (`customerId: 1`). */
export const FIXTURE_CUSTOMER_ID = 1;

/** All Revolv3 state of one sandbox. */
export class Revolv3State {
  readonly customers = new Map<number, Customer>();
  readonly paymentMethods = new Map<number, StoredPaymentMethod>();
  readonly authorizations = new Map<number, Authorization>();
  readonly invoices = new Map<number, Invoice>();
  readonly tokens = new Map<string, IssuedToken>();

  constructor() {
    this.seedFixtures();
  }

  clear(): void {
    this.customers.clear();
    this.paymentMethods.clear();
    this.authorizations.clear();
    this.invoices.clear();
    this.tokens.clear();
    this.seedFixtures();
  }

  private seedFixtures(): void {
    this.customers.set(FIXTURE_CUSTOMER_ID, {
      customerId: FIXTURE_CUSTOMER_ID,
      merchantCustomerRefId: 'sandbox-customer-1',
      firstName: 'Joe',
      lastName: 'Doe',
      email: 'joe.doe@example.com',
      billingAddresses: [],
      shippingAddresses: [],
      createdAt: new Date(0).toISOString(),
    });
  }

  /** Copies of every stored object (tokens are counted, never listed). */
  snapshot(): Record<string, unknown[]> {
    const copy = <T>(m: Map<unknown, T>): T[] => [...m.values()].map((v) => structuredClone(v));
    return {
      customers: copy(this.customers),
      paymentMethods: copy(this.paymentMethods),
      authorizations: copy(this.authorizations),
      invoices: copy(this.invoices),
    };
  }
}
