/**
 * Data checks for the provider packs (providers/*.yaml) and their JSON Schemas (schemas/).
 * No engine code is involved: this only proves the data is well-formed and encodes the
 * documented rules (see /work/shared/reference/providers.md).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import jsonata from 'jsonata';
import { parse } from 'yaml';
import type { ProviderPack } from '../../src/providers/pack-types.js';
import { SEED_INVOICE_PAYMENT } from '../fixtures/seeds.js';

// CommonJS interop: under NodeNext these default imports are the module objects; the class
// and the plugin are (also) their `default` export.
const Ajv2020 = Ajv2020Import.default;
const addFormats = addFormatsImport.default;
type Ajv = InstanceType<typeof Ajv2020>;

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const schemasDir = join(root, 'schemas');
const ID_BASE = 'https://datamap.dev/schemas/';

const EXPECTED_OPERATIONS: Record<string, string[]> = {
  revolv3: [
    'auth.token',
    'invoices.payment',
    'payments.sale',
    'payments.saleWithMethod',
    'payments.authorize',
    'payments.authorizeWithMethod',
    'payments.capture',
    'paymentMethods.reverseAuth',
    'payments.void',
    'invoices.refund',
    'invoices.get',
    'invoices.find',
    'customers.create',
    'paymentMethods.create',
  ],
  invoiss: [
    'clients.find',
    'clients.get',
    'clients.create',
    'orders.create',
    'orders.find',
    'orders.get',
    'payments.process',
    'payments.request',
  ],
};

/** All .json files under a directory, recursively. */
function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

/** A number has at most `max` decimal places (catches float artifacts like 30.990000000000002). */
function hasAtMostDecimals(max: number, data: number): boolean {
  return Number.isFinite(data) && Number(data.toFixed(max)) === data;
}

/** Ajv2020 in strict mode with ajv-formats, x-maxDecimals, and the given schema files. */
function makeAjv(files: string[], extra: { allowUnionTypes?: boolean } = {}): Ajv {
  const ajv = new Ajv2020({ strict: true, allErrors: true, ...extra });
  addFormats(ajv);
  ajv.addKeyword({
    keyword: 'x-maxDecimals',
    type: 'number',
    schemaType: 'number',
    errors: false,
    validate: hasAtMostDecimals,
  });
  for (const file of files) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  return ajv;
}

function loadPack(name: string): ProviderPack {
  return parse(readFileSync(join(root, 'providers', `${name}.yaml`), 'utf8')) as ProviderPack;
}

let ajv: Ajv;
const packs: Record<string, ProviderPack> = {};

/** Validator for a schema file given relative to schemas/, e.g. `revolv3/payments.sale.request.json`. */
function validator(rel: string) {
  const validate = ajv.getSchema(ID_BASE + rel);
  if (!validate) throw new Error(`schema not loaded: ${rel}`);
  return validate;
}

function check(rel: string, data: unknown): { ok: boolean; errors: string } {
  const validate = validator(rel);
  const ok = validate(data) as boolean;
  return { ok, errors: ajv.errorsText(validate.errors) };
}

beforeAll(() => {
  // provider-pack.schema.json uses a union type (string|number|boolean), which strict mode only
  // accepts with allowUnionTypes; the provider schemas are also checked without it below.
  ajv = makeAjv(jsonFiles(schemasDir), { allowUnionTypes: true });
  for (const name of Object.keys(EXPECTED_OPERATIONS)) packs[name] = loadPack(name);
});

describe('schema files', () => {
  it('every schema file has the draft 2020-12 $schema and an $id matching its path', () => {
    for (const file of jsonFiles(schemasDir)) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string; $id?: string };
      expect(schema.$schema, file).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id, file).toBe(ID_BASE + relative(schemasDir, file).split('\\').join('/'));
    }
  });

  it('all schemas compile in strict mode', () => {
    for (const file of jsonFiles(schemasDir)) {
      const id = ID_BASE + relative(schemasDir, file).split('\\').join('/');
      expect(() => ajv.getSchema(id), id).not.toThrow();
    }
  });

  it('provider schemas compile in strict mode even without allowUnionTypes', () => {
    for (const provider of Object.keys(EXPECTED_OPERATIONS)) {
      const files = jsonFiles(join(schemasDir, provider));
      const strictAjv = makeAjv(files);
      for (const file of files) {
        const id = ID_BASE + relative(schemasDir, file).split('\\').join('/');
        expect(() => strictAjv.getSchema(id), id).not.toThrow();
      }
    }
  });
});

describe.each(Object.keys(EXPECTED_OPERATIONS))('provider pack %s', (name) => {
  it('starts with the yaml-language-server $schema comment', () => {
    const text = readFileSync(join(root, 'providers', `${name}.yaml`), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/provider-pack.schema.json');
  });

  it('validates against provider-pack.schema.json', () => {
    const { ok, errors } = check('provider-pack.schema.json', packs[name]);
    expect(errors).toBe('No errors');
    expect(ok).toBe(true);
    expect(packs[name]!.name).toBe(name);
  });

  it('has exactly the expected operations', () => {
    expect(Object.keys(packs[name]!.operations).sort()).toEqual([...EXPECTED_OPERATIONS[name]!].sort());
  });

  it('points every request/response at an existing schema file that compiles', () => {
    for (const [id, op] of Object.entries(packs[name]!.operations)) {
      expect(op.response, `${id} response`).toBeDefined();
      for (const rel of [op.request, op.response]) {
        if (rel === undefined) continue;
        expect(rel.startsWith(`${name}/`), `${id}: ${rel}`).toBe(true);
        expect(existsSync(join(schemasDir, rel)), `${id}: ${rel}`).toBe(true);
        expect(() => validator(rel), `${id}: ${rel}`).not.toThrow();
      }
      if (op.request) expect(op.request).toBe(`${name}/${id}.request.json`);
      expect(op.response).toBe(`${name}/${id}.response.json`);
    }
  });

  it('is internally consistent (auth, environments, reconcile targets, JSONata)', () => {
    const pack = packs[name]!;
    if (pack.defaultEnvironment !== undefined) expect(pack.environments[pack.defaultEnvironment]).toBeDefined();
    // a guessed host is never the default
    if (pack.defaultEnvironment !== undefined) expect(pack.environments[pack.defaultEnvironment]!.documented).not.toBe(false);
    expect(pack.auth.schemes[pack.auth.default]).toBeDefined();
    for (const scheme of Object.values(pack.auth.schemes)) {
      if (scheme.type === 'header') expect(pack.credentials[scheme.credential]).toBeDefined();
      else {
        expect(pack.operations[scheme.operation]?.internal).toBe(true);
        for (const credential of Object.values(scheme.body)) expect(pack.credentials[credential]).toBeDefined();
      }
    }
    for (const [id, op] of Object.entries(pack.operations)) {
      if (!op.reconcile) continue;
      expect(op.idempotent, id).toBe(false);
      expect(pack.operations[op.reconcile.operation]?.idempotent, id).toBe(true);
      expect(() => jsonata(op.reconcile!.found), id).not.toThrow();
      for (const expr of Object.values(op.reconcile.params)) expect(() => jsonata(expr), id).not.toThrow();
    }
    for (const [id, op] of Object.entries(pack.operations)) {
      if (op.assumed) expect(pack.assumptions?.some((a) => a.includes(op.path)), `${id} assumption`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Revolv3


/** Response of the same seed call. */
const SEED_INVOICES_PAYMENT_RESPONSE = {
  customerId: 1,
  invoiceId: 1,
  merchantInvoiceRefId: '123456789',
  invoiceStatus: 'Paid',
  invoiceAttemptStatus: 'Success',
  message: 'Approve',
  subtotal: 11.97,
  taxAmount: 1.2,
  total: 13.17,
  paymentMethodId: 1,
};

function saleBody(value: number): Record<string, unknown> {
  return {
    paymentMethod: {
      billingFullName: 'Joe Doe',
      creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1130', securityCode: '123' },
    },
    invoice: { merchantInvoiceRefId: 'order-1001', amount: { currency: 'USD', value } },
  };
}

const clone = <T>(value: T): T => structuredClone(value);

describe('Revolv3 schemas', () => {
  const PAYMENT = 'revolv3/invoices.payment.request.json';

  it('accepts the seed invoices.payment body and response', () => {
    expect(check(PAYMENT, SEED_INVOICE_PAYMENT)).toEqual({ ok: true, errors: 'No errors' });
    expect(check('revolv3/invoices.payment.response.json', SEED_INVOICES_PAYMENT_RESPONSE).ok).toBe(true);
  });

  it('rejects a float artifact as a money value and accepts two decimals', () => {
    expect(check('revolv3/payments.sale.request.json', saleBody(30.99)).ok).toBe(true);
    expect(check('revolv3/payments.sale.request.json', saleBody(30.990000000000002)).ok).toBe(false);
    expect(check('revolv3/payments.sale.request.json', saleBody(-1)).ok).toBe(false);
    const body = clone(SEED_INVOICE_PAYMENT);
    body.invoice.invoiceLineItems[0]!.value = 30.990000000000002;
    expect(check(PAYMENT, body).ok).toBe(false);
    body.invoice.invoiceLineItems[0]!.value = 30.99;
    expect(check(PAYMENT, body).ok).toBe(true);
  });

  it('rejects valueType with the wrong casing', () => {
    const body = clone(SEED_INVOICE_PAYMENT);
    body.invoice.invoiceLineItems[0]!.valueType = 'standard';
    expect(check(PAYMENT, body).ok).toBe(false);
  });

  it('rejects typos and values breaking the documented rules', () => {
    const typo = saleBody(10) as { invoice: Record<string, unknown> };
    typo.invoice.ammount = typo.invoice.amount;
    delete typo.invoice.amount;
    expect(check('revolv3/payments.sale.request.json', typo).ok).toBe(false);

    const mutate = (change: (body: typeof SEED_INVOICE_PAYMENT) => void) => {
      const body = clone(SEED_INVOICE_PAYMENT);
      change(body);
      return check(PAYMENT, body).ok;
    };
    expect(mutate((b) => (b.paymentMethod.billingAddress.state = 'CAL'))).toBe(false);
    expect(mutate((b) => (b.paymentMethod.billingAddress.addressLine1 = 'x'))).toBe(false);
    expect(mutate((b) => (b.paymentMethod.billingAddress.city = 'A city name longer than 25'))).toBe(false);
    expect(mutate((b) => (b.paymentMethod.creditCard.expirationDate = '1325'))).toBe(false);
    expect(mutate((b) => (b.paymentMethod.creditCard.paymentAccountNumber = '4111-1111'))).toBe(false);
    expect(mutate((b) => (b.dynamicDescriptor.subMerchantName = 'A descriptor that is too long'))).toBe(false);
    expect(mutate((b) => (b.invoice.merchantInvoiceRefId = 'x'.repeat(101)))).toBe(false);
    expect(mutate((b) => (b.invoice.invoiceLineItems = []))).toBe(false);
    // Needs a customerId or customer info ...
    expect(mutate((b) => (b.customerId = null as unknown as number))).toBe(false);
    // ... and payment details, a paymentMethodId or a paymentMethodAuthorizationId.
    expect(mutate((b) => (b.paymentMethod = null as unknown as typeof b.paymentMethod))).toBe(false);
    expect(
      mutate((b) => {
        b.paymentMethod = null as unknown as typeof b.paymentMethod;
        b.paymentMethodId = 42 as unknown as null;
      }),
    ).toBe(true);
  });

  it('requires exactly one payment-method type', () => {
    const ach = { accountNumber: '4099999992', routingNumber: '011075123', accountType: 'Checking' };
    const achOnly = { billingFirstName: 'John', billingLastName: 'Doe', paymentMethodTypes: ['Ach'], ach };
    expect(check('revolv3/paymentMethods.create.request.json', achOnly).ok).toBe(true);
    const both = { ...achOnly, creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1130' } };
    expect(check('revolv3/paymentMethods.create.request.json', both).ok).toBe(false);
    expect(check('revolv3/paymentMethods.create.request.json', { billingFullName: 'John Doe' }).ok).toBe(false);
  });

  it('accepts the other documented request shapes', () => {
    expect(check('revolv3/auth.token.request.json', { clientId: 'id', clientSecret: 'secret' }).ok).toBe(true);
    expect(check('revolv3/payments.saleWithMethod.request.json', { invoice: saleBody(5).invoice }).ok).toBe(true);
    const auth = { amount: { value: 0 }, networkProcessing: { processingType: 'InitialRecurring' } };
    expect(check('revolv3/payments.authorizeWithMethod.request.json', auth).ok).toBe(true);
    const capture = { invoice: { merchantInvoiceRefId: 'o-1', orderProcessingChannel: 'Ecommerce', amount: { value: 12.5 } } };
    expect(check('revolv3/payments.capture.request.json', capture).ok).toBe(true);
    expect(check('revolv3/paymentMethods.reverseAuth.request.json', { paymentMethodAuthorizationId: 9, amount: null }).ok).toBe(true);
    expect(check('revolv3/invoices.refund.request.json', { amount: 5.25 }).ok).toBe(true);
    expect(check('revolv3/invoices.refund.request.json', { amount: 5.255 }).ok).toBe(false);
  });

  it('accepts documented response shapes and types ids as integers', () => {
    expect(check('revolv3/invoices.find.response.json', [{ invoiceId: 1, merchantInvoiceRefId: 'a', invoiceStatus: 'Paid' }]).ok).toBe(true);
    expect(check('revolv3/invoices.find.response.json', []).ok).toBe(true);
    expect(check('revolv3/invoices.get.response.json', { invoiceId: 1, invoiceStatus: 3 }).ok).toBe(true);
    expect(check('revolv3/invoices.get.response.json', { invoiceId: 'one' }).ok).toBe(false);
    const refund = { invoice: { invoiceId: 2, parentInvoiceId: 1, invoiceStatus: 'PartialRefund' }, refunds: [{ amount: -5 }] };
    expect(check('revolv3/invoices.refund.response.json', refund).ok).toBe(true);
    expect(check('revolv3/payments.authorize.response.json', { paymentMethodAuthorizationId: 7, paymentMethod: { paymentMethodId: 3 } }).ok).toBe(true);
  });
});

describe('Revolv3 reconcile expressions', () => {
  it('sale: adopts the newest invoice with the same merchantInvoiceRefId, nothing when absent', async () => {
    const found = jsonata(packs.revolv3!.operations['payments.sale']!.reconcile!.found);
    const bindings = { request: { invoice: { merchantInvoiceRefId: 'A1' } }, params: {} };
    const list = [
      { invoiceId: 3, merchantInvoiceRefId: 'A1', invoiceStatus: 'Noncollectable' },
      { invoiceId: 9, merchantInvoiceRefId: 'B2', invoiceStatus: 'Paid' },
      { invoiceId: 7, merchantInvoiceRefId: 'A1', invoiceStatus: 'Paid' },
    ];
    expect(await found.evaluate(list, bindings)).toMatchObject({ invoiceId: 7, invoiceStatus: 'Paid' });
    expect(await found.evaluate([list[0]], bindings)).toMatchObject({ invoiceId: 3 });
    expect(await found.evaluate([], bindings)).toBeUndefined();
    expect(await found.evaluate([list[1]], bindings)).toBeUndefined();
  });

  it('void: adopts the invoice only when it is Void', async () => {
    const found = jsonata(packs.revolv3!.operations['payments.void']!.reconcile!.found);
    expect(await found.evaluate({ invoiceId: 5, invoiceStatus: 'Void' })).toMatchObject({ invoice: { invoiceStatus: 'Void' } });
    expect(await found.evaluate({ invoiceId: 5, invoiceStatus: 'Paid' })).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Invoiss

/** Body of `POST /public/payments/process`, copied from the seed doc (/work/shared/seeds/000_*.txt). */
const SEED_PAYMENTS_PROCESS = {
  method: 'CARD',
  order: { id: 'order_123456', grandTotal: 100.0 },
  company: { id: 'comp_78910', metadata: {} },
  signature: 'signature_data',
  type: 'INVOICE',
  amount: 100.0,
  status: 'COMPLETED',
  gateway: { id: 'gateway_12345' },
  paymentId: 'pay_123456789',
  orderId: 'order_123456',
};

describe('Invoiss schemas', () => {
  const PROCESS = 'invoiss/payments.process.request.json';

  it('accepts the seed payments.process body and response', () => {
    expect(check(PROCESS, SEED_PAYMENTS_PROCESS)).toEqual({ ok: true, errors: 'No errors' });
    expect(check('invoiss/payments.process.response.json', { success: true, message: 'Payment processed successfully' }).ok).toBe(true);
  });

  it('rejects bad payments.process bodies', () => {
    expect(check(PROCESS, { ...SEED_PAYMENTS_PROCESS, amount: 30.990000000000002 }).ok).toBe(false);
    expect(check(PROCESS, { ...SEED_PAYMENTS_PROCESS, amount: 30.99 }).ok).toBe(true);
    expect(check(PROCESS, { ...SEED_PAYMENTS_PROCESS, method: 'card' }).ok).toBe(false);
    const { orderId: _orderId, ...withoutOrderId } = SEED_PAYMENTS_PROCESS;
    expect(check(PROCESS, withoutOrderId).ok).toBe(false);
  });

  it('accepts the documented payments.request example and its `{ true }` response', () => {
    const body = {
      order: { client: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      orderRemove: false,
      lineItems: [{ description: 'Widget', externalId: 'sku-1', quantity: 2, price: 9.99, name: 'Widget' }],
    };
    expect(check('invoiss/payments.request.request.json', body).ok).toBe(true);
    expect(check('invoiss/payments.request.response.json', true).ok).toBe(true);
    expect(check('invoiss/payments.request.response.json', {}).ok).toBe(true);
    expect(check('invoiss/payments.request.response.json', false).ok).toBe(false);
  });

  it('encodes the assumed client and order contracts', () => {
    expect(check('invoiss/clients.create.request.json', { name: 'Acme', email: 'ap@acme.test', externalId: 'c-1' }).ok).toBe(true);
    expect(check('invoiss/clients.create.request.json', { email: 'ap@acme.test' }).ok).toBe(false);
    expect(check('invoiss/clients.create.request.json', { name: 'Acme', email: 'not-an-email' }).ok).toBe(false);
    const order = {
      client: 'c-uuid',
      type: 'INVOICE',
      lineItems: [{ name: 'Widget', quantity: 1, price: 10 }],
      dueDate: '2026-01-31',
    };
    expect(check('invoiss/orders.create.request.json', order).ok).toBe(true);
    expect(check('invoiss/orders.create.request.json', { ...order, type: 'invoice' }).ok).toBe(false);
    expect(check('invoiss/orders.create.request.json', { ...order, lineItems: [{ name: 'W', quantity: 0, price: 1 }] }).ok).toBe(false);
    expect(check('invoiss/orders.create.request.json', { ...order, lineItems: [{ name: 'W', quantity: 1, price: 0.001 }] }).ok).toBe(false);
    expect(check('invoiss/orders.create.request.json', { ...order, dueDate: '31/01/2026' }).ok).toBe(false);
    expect(check('invoiss/clients.find.response.json', []).ok).toBe(true);
    expect(check('invoiss/orders.get.response.json', { id: 'o1', grandTotal: 10, payments: [{ paymentId: 'p1', amount: 10 }] }).ok).toBe(true);
    expect(check('invoiss/orders.get.response.json', { id: 7 }).ok).toBe(false);
  });
});

describe('Invoiss reconcile expression (payments.process)', () => {
  const evaluate = (order: unknown, request: unknown) =>
    jsonata(packs.invoiss!.operations['payments.process']!.reconcile!.found).evaluate(order, { request, params: {} });

  it('matches by paymentId when it was sent and the order lists payments', async () => {
    const order = { id: 'o1', paidTotal: 100, payments: [{ paymentId: 'p1', amount: 100, status: 'COMPLETED' }] };
    expect(await evaluate(order, { paymentId: 'p1', amount: 100 })).toMatchObject({ success: true, paymentId: 'p1' });
    expect(await evaluate(order, { paymentId: 'p2', amount: 100 })).toBeUndefined();
    const declined = { ...order, payments: [{ paymentId: 'p1', amount: 100, status: 'DECLINED' }] };
    expect(await evaluate(declined, { paymentId: 'p1', amount: 100 })).toMatchObject({ success: false });
  });

  it('falls back to paidTotal >= amount', async () => {
    expect(await evaluate({ id: 'o1', paidTotal: 100 }, { amount: 100 })).toMatchObject({ success: true });
    expect(await evaluate({ id: 'o1', paidTotal: 100 }, { paymentId: 'p1', amount: 100 })).toMatchObject({ success: true });
    expect(await evaluate({ id: 'o1', paidTotal: 40 }, { amount: 100 })).toBeUndefined();
    expect(await evaluate({ id: 'o1' }, { amount: 100 })).toBeUndefined();
  });
});
