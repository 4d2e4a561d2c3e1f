import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  DatamapError,
  describeOperation,
  describeProvider,
  describeProviders,
  findCardNumbers,
  getProvider,
  listProviders,
  type FieldDescription,
} from '../../src/index.js';

/** The field at a dotted path (`[]` for array elements) of a described body. */
function field(root: FieldDescription | undefined, path: string): FieldDescription {
  const found = (function find(f: FieldDescription | undefined): FieldDescription | undefined {
    if (!f) return undefined;
    if (f.path === path) return f;
    for (const p of f.properties ?? []) {
      const hit = find(p);
      if (hit) return hit;
    }
    return find(f.items);
  })(root);
  if (!found) throw new Error(`no field ${path}`);
  return found;
}

function allFields(f: FieldDescription | undefined): FieldDescription[] {
  if (!f) return [];
  return [f, ...(f.properties ?? []).flatMap(allFields), ...allFields(f.items), ...(f.alternatives?.options ?? []).flatMap(allFields)];
}

function thrown(fn: () => unknown): DatamapError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DatamapError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('provider reference (library)', () => {
  it('lists both packs with environments, auth, credentials and public operations', () => {
    const list = describeProviders();
    expect(list.map((p) => p.name)).toEqual(['invoiss', 'revolv3']);
    const revolv3 = list.find((p) => p.name === 'revolv3')!;
    expect(revolv3.environments).toContainEqual(expect.objectContaining({ name: 'sandbox', baseUrl: 'https://api-sandbox.revolv3.com', default: true }));
    expect(revolv3.auth.map((a) => a.name)).toEqual(['static-token', 'client-credentials']);
    expect(revolv3.credentials.map((c) => c.env)).toEqual(['REVOLV3_TOKEN', 'REVOLV3_CLIENT_ID', 'REVOLV3_CLIENT_SECRET']);
    expect(revolv3.operations.map((o) => o.id)).not.toContain('auth.token'); // internal
    expect(revolv3.operations.find((o) => o.id === 'payments.sale')).toMatchObject({ method: 'POST', path: '/api/Payments/sale', idempotent: false, assumed: false, hasRequest: true });
    const invoiss = list.find((p) => p.name === 'invoiss')!;
    expect(invoiss.credentials).toEqual([expect.objectContaining({ name: 'token', env: 'INVOISS_TOKEN' })]);
    expect(invoiss.operations.find((o) => o.id === 'clients.find')).toMatchObject({ method: 'GET', idempotent: true, assumed: true, query: ['externalId', 'email'] });
    expect(invoiss.operations.find((o) => o.id === 'payments.process')?.assumed).toBe(false);
  });

  it('describes one pack with its assumptions', () => {
    for (const name of ['invoiss', 'revolv3']) {
      const pack = describeProvider(name);
      expect(pack.assumptions).toEqual(getProvider(name)!.assumptions);
      expect(pack.assumptions.length).toBeGreaterThan(5);
      expect(pack.errors.unknownOutcomeStatuses).toContain(500);
    }
    expect(describeProvider('revolv3').internalOperations).toEqual(['auth.token']);
  });

  it('payments.sale: card number marked sensitive, amount rules from common.json, oneOf as a rule, nullable refs', () => {
    const op = describeOperation('revolv3', 'payments.sale');
    expect(op).toMatchObject({ provider: 'revolv3', id: 'payments.sale', method: 'POST', requestSchema: 'revolv3/payments.sale.request.json' });
    const pan = field(op.request, 'paymentMethod.creditCard.paymentAccountNumber');
    expect(pan).toMatchObject({ types: ['string'], required: true, sensitive: 'cardNumber', pattern: '^[0-9]{12,19}$' });
    expect(field(op.request, 'paymentMethod.creditCard.securityCode')).toMatchObject({ sensitive: 'securityCode', required: false, nullable: true });
    const value = field(op.request, 'invoice.amount.value');
    expect(value).toMatchObject({ types: ['number'], required: true, minimum: 0, maxDecimals: 2, ref: 'revolv3/common.json#/$defs/money' });
    expect(field(op.request, 'invoice.amount')).toMatchObject({ ref: 'revolv3/common.json#/$defs/amount', required: true });
    expect(field(op.request, 'invoice.amount.currency').enum).toEqual(['USD', 1]);
    const pm = field(op.request, 'paymentMethod');
    expect(pm.choices).toEqual([{ kind: 'oneOf', options: [['creditCard'], ['ach'], ['googlePay'], ['applePay']] }]);
    expect(field(op.request, 'paymentMethod.creditCard')).toMatchObject({ types: ['object', 'null'], nullable: true });
    expect(field(op.request, 'invoice.merchantInvoiceRefId')).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(field(op.request, 'invoice.invoiceLineItems[].valueType').enum).toContain('Standard');
    // response fields later steps can read
    expect(op.responseFields).toContainEqual(expect.objectContaining({ path: 'invoiceId', expression: '$steps.<id>.invoiceId', types: ['integer'] }));
    expect(op.responseFields.map((f) => f.path)).toContain('paymentMethodCreditCardDetails.paymentLast4Digit');
    expect(op.classify.field).toBe('invoiceStatus');
    expect(op.reconcile?.operation).toBe('invoices.find');
    expect(op.sensitive.filter((f) => f.kind === 'cardNumber').map((f) => f.path)).toEqual(['paymentMethod.creditCard.paymentAccountNumber']);
    expect(op.sensitive).toContainEqual({ path: 'paymentMethod.creditCard.securityCode', kind: 'securityCode' });
  });

  it('invoices.payment: valueType enum, the DiscountPercentage conditional and anyOf presence rules', () => {
    const op = describeOperation('revolv3', 'invoices.payment');
    const vt = field(op.request, 'invoice.invoiceLineItems[].valueType');
    expect(vt.enum).toEqual(['Standard', 'Discount', 'DiscountPercentage', 'FinalDiscount', 'PriceOverride']);
    expect(vt.required).toBe(true);
    expect(field(op.request, 'invoice.invoiceLineItems[]').notes?.join()).toContain('when valueType = "DiscountPercentage": value maximum 100');
    expect(op.request?.choices?.map((c) => c.kind)).toEqual(['anyOf', 'anyOf']);
    expect(op.request?.choices?.[0]?.options).toContainEqual(['customerId']);
  });

  it('invoiss operations: enums, secrets, no-body lookups and merged $ref + properties', () => {
    const process = describeOperation('invoiss', 'payments.process');
    expect(field(process.request, 'method').enum).toEqual(['CARD', 'ACH']);
    expect(field(process.request, 'signature').sensitive).toBe('secret');
    expect(field(process.request, 'order.grandTotal')).toMatchObject({ required: true, minimum: 0, maxDecimals: 2, description: 'Order total.' });
    const find = describeOperation('invoiss', 'clients.find');
    expect(find.request).toBeUndefined();
    expect(find.query).toEqual(['externalId', 'email']);
    expect(find.response?.types).toEqual(['array']);
    expect(find.responseFields).toContainEqual(expect.objectContaining({ path: '[].id', expression: '$steps.<id>.id' }));
    const get = describeOperation('invoiss', 'orders.get');
    expect(get.pathParams).toEqual(['orderId']);
    const paths = get.responseFields.map((f) => f.path);
    expect(paths).toContain('grandTotal'); // from the $ref'd order
    expect(paths).toContain('payments[].paymentId'); // from the sibling properties
    expect(describeOperation('invoiss', 'orders.create').request?.properties?.find((p) => p.name === 'lineItems')?.items?.properties?.map((p) => p.name))
      .toEqual(['name', 'description', 'externalId', 'quantity', 'price']);
  });

  it('every operation of every pack resolves all its $refs', () => {
    for (const name of listProviders()) {
      for (const id of Object.keys(getProvider(name)!.operations)) {
        const op = describeOperation(name, id);
        for (const f of [...allFields(op.request), ...allFields(op.response)]) {
          expect(f.notes?.filter((n) => n.startsWith('unresolved')) ?? [], `${name} ${id} ${f.path}`).toEqual([]);
        }
      }
    }
  });

  it('unknown pack or operation: stable code and a did-you-mean hint', () => {
    const p = thrown(() => describeProvider('revolve'));
    expect(p.code).toBe('datamap/unknown-provider');
    expect(p.diagnostics[0]?.hint).toMatch(/Did you mean revolv3\?/);
    const o = thrown(() => describeOperation('revolv3', 'payments.sael'));
    expect(o.code).toBe('datamap/unknown-operation');
    expect(o.diagnostics[0]?.hint).toMatch(/Did you mean payments\.sale/);
    expect(thrown(() => describeOperation('nope', 'x')).code).toBe('datamap/unknown-provider');
  });
});

describe('datamap providers (CLI)', () => {
  it('lists the packs and their operations', async () => {
    const { code, stdout: out } = await runCli(['providers']);
    expect(code).toBe(0);
    expect(out).toContain('revolv3 — Revolv3');
    expect(out).toContain('invoiss — Invoiss');
    expect(out).toContain('https://api-sandbox.revolv3.com (default)');
    expect(out).toContain('$REVOLV3_TOKEN');
    expect(out).toContain('$INVOISS_TOKEN');
    expect(out).toMatch(/payments\.sale\s+POST \/api\/Payments\/sale\s+not idempotent\s+documented\s+Sale/);
    expect(out).toMatch(/clients\.find\s+GET \/public\/clients\s+idempotent\s+ASSUMED/);
    expect(out).not.toContain('auth.token');
  });

  it('--json gives the same data', async () => {
    const { code, stdout: out } = await runCli(['providers', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ providers: describeProviders() });
    const pack = await runCli(['providers', 'invoiss', '--json']);
    expect(JSON.parse(pack.stdout)).toEqual(describeProvider('invoiss'));
    const op = await runCli(['providers', 'revolv3', 'payments.sale', '--json']);
    expect(op.code).toBe(0);
    expect(JSON.parse(op.stdout)).toEqual(JSON.parse(JSON.stringify(describeOperation('revolv3', 'payments.sale'))));
  });

  it('shows a pack with its assumptions, for both packs', async () => {
    for (const name of ['revolv3', 'invoiss']) {
      const { code, stdout: out } = await runCli(['providers', name]);
      expect(code).toBe(0);
      expect(out).toMatch(/assumptions \(\d+\):/);
      expect(out).toContain(getProvider(name)!.assumptions![0]!);
      expect(out).toContain('auth schemes');
    }
  });

  it('shows an operation\'s request as a tree, its response fields and its rules', async () => {
    const { code, stdout: out, stderr: err } = await runCli(['providers', 'revolv3', 'payments.sale']);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/\* paymentAccountNumber: string; pattern \^\[0-9\]\{12,19\}\$; SENSITIVE card number/);
    expect(out).toMatch(/\* value: number; minimum 0; at most 2 decimals/);
    expect(out).toContain('[revolv3/common.json#/$defs/amount]');
    expect(out).toContain('rule: exactly one of: creditCard | ach | googlePay | applePay');
    expect(out).toMatch(/- creditCard: object \| null/);
    expect(out).toMatch(/- securityCode: .*SENSITIVE security code/);
    expect(out).toMatch(/\$steps\.<id>\.invoiceId\s+integer/);
    expect(out).toMatch(/classification: first: pending when invoiceStatus is "Paid"\/1 and paymentMethodAchDetails is present .*; then by response field invoiceStatus: succeeded when "Paid", 1; /);
    expect(out).toContain('reconcile: after an unknown outcome');
    expect(out).toContain('path params: none');

    const payment = await runCli(['providers', 'revolv3', 'invoices.payment']);
    expect(payment.stdout).toMatch(/\* valueType: string; one of "Standard" \| "Discount" \| "DiscountPercentage" \| "FinalDiscount" \| "PriceOverride"/);
    expect(payment.stdout).toContain('rule: at least one of: customerId | firstName');

    const refund = await runCli(['providers', 'revolv3', 'invoices.refund']);
    expect(refund.stdout).toContain('path params: invoiceId');
    expect(refund.stdout).toContain('reconcile: none');

    const find = await runCli(['providers', 'invoiss', 'clients.find']);
    expect(find.stdout).toContain('query params: externalId, email');
    expect(find.stdout).toContain('REQUEST: no body');
    expect(find.stdout).toContain('The response is an array');

    const process = await runCli(['providers', 'invoiss', 'payments.process']);
    expect(process.stdout).toMatch(/\* method: string; one of "CARD" \| "ACH"/);
    expect(process.stdout).toMatch(/\* signature: string; length >= 1; SENSITIVE secret/);
    expect(process.stdout).toContain('classification: by response field success: succeeded when true; declined when false');
  });

  it('never prints a card number', async () => {
    for (const args of [['providers'], ['providers', 'revolv3'], ['providers', 'revolv3', 'payments.sale'], ['providers', 'revolv3', 'paymentMethods.create']]) {
      const { stdout: out } = await runCli(args);
      expect(findCardNumbers(out)).toEqual([]);
    }
  });

  it('unknown pack or operation: exit 2, the code and a did-you-mean hint', async () => {
    const p = await runCli(['providers', 'revolve']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('error datamap/unknown-provider: No provider pack named "revolve"');
    expect(p.stderr).toContain('hint: Did you mean revolv3?');
    const o = await runCli(['providers', 'invoiss', 'payment.process']);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('error datamap/unknown-operation');
    expect(o.stderr).toContain('Did you mean payments.process');
    const j = await runCli(['providers', 'revolv3', 'sale', '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'datamap/unknown-operation', hint: expect.stringContaining('payments.sale') });
  });
});
