/** Invoiss entities held in memory. Ids are strings: `cli_…`, `ord_…`, `li_…`, `pay_…`. */

export interface Client {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  contact: string | null;
  code: string | null;
  cell: string | null;
  po: string | null;
  logo: string | null;
  isHidden: boolean;
  statement: string | null;
  metadata: Record<string, unknown>;
  accountingEmails: string[];
  houseAccounts: string[];
  staff: string[];
  company: { id: string; name: string };
  gateway: null;
  externalId: string | null;
  createdAt: string;
}

export interface OrderLineItem {
  id: string;
  name: string;
  description: string | null;
  externalId: string | null;
  quantity: number;
  price: number;
  total: number;
}

export interface OrderPayment {
  id: string;
  /** Same as `id`: the field name the Invoiss pack's reconcile reads (assumed contract). */
  paymentId: string;
  method: string;
  type: string | null;
  amount: number;
  status: string;
  createdAt: string;
}

export interface Order {
  id: string;
  number: string;
  client: string;
  type: 'INVOICE' | 'ORDER' | 'ESTIMATE';
  externalId: string | null;
  lineItems: OrderLineItem[];
  metadata: Record<string, unknown>;
  subTotal: number;
  taxTotal: number;
  grandTotal: number;
  paidTotal: number;
  status: 'OPEN' | 'PARTIAL' | 'PAID';
  payments: OrderPayment[];
  createdAt: string;
}

/** A recorded `POST /public/payments/request`. */
export interface PaymentRequest {
  client: string;
  lineItems: number;
  orderRemove: boolean;
  at: string;
}

/** The company every sandbox client belongs to. */
export const SANDBOX_COMPANY = Object.freeze({ id: 'comp_sandbox', name: 'Sandbox Company' });

/** All Invoiss state of one sandbox. */
export class InvoissState {
  readonly clients = new Map<string, Client>();
  readonly orders = new Map<string, Order>();
  /** Payment id → order id, for duplicate detection. */
  readonly payments = new Map<string, string>();
  readonly paymentRequests: PaymentRequest[] = [];

  clear(): void {
    this.clients.clear();
    this.orders.clear();
    this.payments.clear();
    this.paymentRequests.length = 0;
  }

  snapshot(): Record<string, unknown[]> {
    return {
      clients: [...this.clients.values()].map((v) => structuredClone(v)),
      orders: [...this.orders.values()].map((v) => structuredClone(v)),
      paymentRequests: this.paymentRequests.map((v) => ({ ...v })),
    };
  }
}
