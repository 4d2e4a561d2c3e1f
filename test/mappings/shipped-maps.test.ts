/**
 * The shipped Data Maps (mappings/*.yaml) against their sample records (examples/<host>/):
 * every map validates cleanly and plans every sample record as valid, the Invoiss maps follow
 * the find-or-create flow, and the money the maps send adds up.
 */
import { describe, it, expect } from 'vitest';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  checkDataMap,
  loadDataMap,
  planRecords,
  readCsvRecords,
  readRecords,
  recordItems,
  SANDBOX_SETTINGS,
  type CompiledMap,
  type RecordPlanView,
  type StepPlanView,
} from '../../src/index.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const mappingsDir = join(root, 'mappings');
const CLOCK = (): number => Date.parse('2026-11-21T00:00:00Z');
/** The settings the shipped maps declare, as the built-in sandbox publishes them (no flags needed). */
const SETTINGS_ENV: Record<string, string> = { ...SANDBOX_SETTINGS };

/** Sample records per host system: a map named <host>-to-<provider>.yaml plans this file. */
const SAMPLES: Record<string, string> = {
  'field-service': join(root, 'examples/field-service/invoices.json'),
  shopify: join(root, 'examples/shopify/orders.json'),
  'quickbooks-csv': join(root, 'examples/quickbooks-csv/invoices.csv'),
};

const mapFiles = readdirSync(mappingsDir)
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'))
  .sort()
  .map((f) => join(mappingsDir, f));

function hostOf(file: string): string {
  return basename(file, '.yaml').replace(/-to-[a-z0-9]+$/, '');
}

function sampleFor(file: string): string {
  const sample = SAMPLES[hostOf(file)];
  if (!sample) throw new Error(`no sample records for ${basename(file)}: add its host to SAMPLES`);
  return sample;
}

function sampleRecords(file: string): Array<Record<string, unknown>> {
  const sample = sampleFor(file);
  // a CSV export: counted by csv-parse's own whole-file parser, independent of our streaming reader
  if (sample.endsWith('.csv')) return parseCsv(readFileSync(sample, 'utf8'), { columns: true, bom: true, skip_empty_lines: true }) as Array<Record<string, unknown>>;
  return JSON.parse(readFileSync(sample, 'utf8')) as Array<Record<string, unknown>>;
}

async function planFile(map: CompiledMap, recordsFile: string): Promise<RecordPlanView[]> {
  const out: RecordPlanView[] = [];
  const stream = createReadStream(recordsFile, { encoding: 'utf8' });
  const records = recordsFile.endsWith('.csv')
    ? readCsvRecords(stream, { source: recordsFile, schema: map.spec.input! })
    : readRecords(stream, { source: recordsFile });
  for await (const rec of planRecords(map, records, { clock: CLOCK, settings: { env: SETTINGS_ENV } })) out.push(rec);
  return out;
}

async function planValues(map: CompiledMap, values: unknown[]): Promise<RecordPlanView[]> {
  const out: RecordPlanView[] = [];
  for await (const rec of planRecords(map, recordItems(values), { clock: CLOCK, settings: { env: SETTINGS_ENV } })) out.push(rec);
  return out;
}

function step(rec: RecordPlanView, id: string): StepPlanView {
  const s = rec.steps.find((x) => x.id === id);
  if (!s) throw new Error(`record ${rec.index + 1} has no step ${id}`);
  return s;
}

function body(s: StepPlanView): Record<string, unknown> {
  expect(s.request?.body, `step ${s.id} has a body`).toBeTypeOf('object');
  return s.request!.body as Record<string, unknown>;
}

/** The order step's id placeholder (`<$steps.order.id: string>`, or its response path). */
const ORDER_ID = /^<\$steps\.order\.(response\.)?id: string>$/;
const cents = (n: number): number => Math.round(n * 100);
const decimals = (n: number): number => (String(n).split('.')[1] ?? '').length;

describe('shipped Data Maps', () => {
  it('ships the four maps, two host systems to both providers', () => {
    expect(mapFiles.map((f) => basename(f))).toEqual(
      expect.arrayContaining([
        'field-service-to-invoiss.yaml',
        'field-service-to-revolv3.yaml',
        'shopify-to-invoiss.yaml',
        'shopify-to-revolv3.yaml',
      ]),
    );
  });

  describe.each(mapFiles.map((f) => [basename(f), f] as const))('%s', (_name, file) => {
    it('validates with no errors and no warnings', () => {
      const { map, diagnostics } = checkDataMap({ file });
      expect(diagnostics).toEqual([]);
      expect(map).toBeDefined();
    });

    it('is a complete, documented Data Map', () => {
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/datamap.schema.json');
      const spec = parse(text) as Record<string, unknown>;
      expect(spec.version).toBe(1);
      for (const field of ['name', 'description', 'key', 'result']) {
        expect(spec[field], field).toBeTypeOf('string');
        expect((spec[field] as string).length, field).toBeGreaterThan(0);
      }
      expect(spec.input).toMatchObject({ type: 'object', required: expect.any(Array) });
      expect(Object.keys(spec.let as object).length).toBeGreaterThan(0);
    });

    it('plans every sample record as valid, each with at least one valid request', async () => {
      const map = loadDataMap({ file });
      const plans = await planFile(map, sampleFor(file));
      expect(plans).toHaveLength(sampleRecords(file).length);
      for (const rec of plans) {
        expect(rec.diagnostics, `record ${rec.index + 1}`).toEqual([]);
        expect(rec.ok, `record ${rec.index + 1}`).toBe(true);
        for (const s of rec.steps) {
          expect(s.verdict, `record ${rec.index + 1} step ${s.id}`).not.toBe('invalid');
          expect(s.diagnostics).toEqual([]);
        }
      }
      const withRequest = plans.flatMap((r) => r.steps).filter((s) => s.verdict === 'valid' && s.request !== undefined);
      expect(withRequest.length).toBeGreaterThan(0);
    });

    it('plans deterministically (fixed clock, no randomness)', async () => {
      // String placeholders are compared by step only: the engine labels them sometimes by the
      // output field (`$steps.order.id`), sometimes by the response path
      // (`$steps.order.response.id`), depending on earlier calls (engine bug, see the report).
      const stable = (plans: RecordPlanView[]): string =>
        JSON.stringify(plans)
          .replace(/<(\$steps\.[A-Za-z0-9_]+)\.[^<>:]*: string>/g, '<$1: string>')
          .replace(/"ref":"(\$steps\.[A-Za-z0-9_]+)[^"]*","type":"string"/g, '"ref":"$1","type":"string"');
      const map = loadDataMap({ file });
      const a = await planFile(map, sampleFor(file));
      const b = await planFile(loadDataMap({ file }), sampleFor(file));
      expect(stable(b)).toBe(stable(a));
    });

    it('sends only amounts with at most two decimals', async () => {
      const map = loadDataMap({ file });
      const amounts: number[] = [];
      const collect = (v: unknown, k?: string): void => {
        if (typeof v === 'number' && k && /^(value|amount|price|grandTotal)$/.test(k)) amounts.push(v);
        else if (Array.isArray(v)) v.forEach((x) => collect(x, k));
        else if (v && typeof v === 'object') for (const [kk, x] of Object.entries(v)) collect(x, kk);
      };
      for (const rec of await planFile(map, sampleFor(file))) for (const s of rec.steps) collect(s.request?.body);
      expect(amounts.length).toBeGreaterThan(0);
      for (const n of amounts) expect(decimals(n), String(n)).toBeLessThanOrEqual(2);
    });
  });

  describe.each(mapFiles.filter((f) => f.endsWith('-to-invoiss.yaml')).map((f) => [basename(f), f] as const))('%s (Invoiss find-or-create flow)', (_name, file) => {
    it('plans findClient, createClient, order, payment in that order, with createClient deferred', async () => {
      const plans = await planFile(loadDataMap({ file }), sampleFor(file));
      for (const rec of plans) {
        expect(rec.steps.map((s) => s.id)).toEqual(['findClient', 'createClient', 'order', 'payment']);
        expect(rec.steps.map((s) => s.operation)).toEqual(['clients.find', 'clients.create', 'orders.create', 'payments.process']);
        expect(step(rec, 'createClient').decision).toBe('deferred');
        expect(step(rec, 'createClient').when).toMatch(/\$steps\.findClient/);
      }
    });

    it('pays the order with the order step output and a paymentId derived from the key', async () => {
      const plans = await planFile(loadDataMap({ file }), sampleFor(file));
      const paying = plans.filter((r) => step(r, 'payment').decision === 'run');
      expect(paying.length).toBeGreaterThan(0);
      for (const rec of paying) {
        const find = step(rec, 'findClient');
        expect(find.request?.method).toBe('GET');
        expect(find.request?.url).toMatch(/\/public\/clients\?(externalId|email)=/);

        const order = body(step(rec, 'order'));
        expect(order).toMatchObject({ type: 'INVOICE', externalId: rec.key });
        // The found client's id (a placeholder in a dry run). Its label is not pinned: the
        // engine's relabelling of string placeholders is unreliable (see the report).
        expect(order.client).toMatch(/^<\$steps\.findClient\..+: string>$/);

        const pay = body(step(rec, 'payment'));
        expect(pay).toMatchObject({
          method: 'CARD',
          type: 'INVOICE',
          paymentId: `pay-${rec.key}`,
          orderId: expect.stringMatching(ORDER_ID),
          order: { id: expect.stringMatching(ORDER_ID), grandTotal: '<$steps.order.grandTotal: number>' },
          // every attribute I1 lists as required, from the map's declared settings
          company: { id: SANDBOX_SETTINGS.INVOISS_COMPANY_ID },
          gateway: { id: SANDBOX_SETTINGS.INVOISS_GATEWAY_ID },
          status: 'COMPLETED',
        });
        expect(pay.signature).toBeTypeOf('string'); // redacted in the plan: a secret setting
        expect(pay.orderId).toBe((pay.order as { id: string }).id);
        // The amount paid is what the order's lines add up to, as Invoiss totals them.
        const lines = order.lineItems as Array<{ quantity: number; price: number }>;
        const total = lines.reduce((sum, li) => sum + cents(li.quantity * li.price), 0);
        expect(cents(pay.amount as number)).toBe(total);
        // Invoiss takes no card data: nothing of the card reaches the payment.
        expect(Object.keys(pay).sort()).toEqual(['amount', 'company', 'gateway', 'method', 'order', 'orderId', 'paymentId', 'signature', 'status', 'type']);
      }
    });
  });

  describe('field-service maps', () => {
    const revolv3 = join(mappingsDir, 'field-service-to-revolv3.yaml');
    const invoiss = join(mappingsDir, 'field-service-to-invoiss.yaml');

    it('charges open invoices with payments.sale (step sale) and skips paid ones', async () => {
      const plans = await planFile(loadDataMap({ file: revolv3 }), sampleFor(revolv3));
      expect(plans.map((r) => [r.key, step(r, 'sale').operation, step(r, 'sale').decision])).toEqual([
        ['FS-10042', 'payments.sale', 'run'],
        ['FS-10043', 'payments.sale', 'run'],
        ['FS-10044', 'payments.sale', 'skip'],
      ]);
      // 129 + 2 × 10.33 + 10.33, rounded once
      expect(body(step(plans[0]!, 'sale'))).toMatchObject({ invoice: { merchantInvoiceRefId: 'FS-10042', amount: { value: 159.99 } } });
    });

    it('finds the Invoiss client by the customer id and skips every call for a paid invoice', async () => {
      const plans = await planFile(loadDataMap({ file: invoiss }), sampleFor(invoiss));
      expect(step(plans[0]!, 'findClient').request?.url).toBe('https://api-dev.invoiss.com/public/clients?externalId=C-881');
      expect(body(step(plans[0]!, 'createClient'))).toMatchObject({ name: 'Dana Reyes', externalId: 'C-881' });
      expect(body(step(plans[0]!, 'order'))).toMatchObject({ number: 'FS-10042', externalId: 'FS-10042' });
      expect((body(step(plans[0]!, 'order')).lineItems as unknown[])[1]).toEqual({ name: 'Air filter 20x25', externalId: 'PRT-FILTER-20', quantity: 2, price: 10.33 });
      expect(body(step(plans[0]!, 'payment'))).toMatchObject({ amount: 159.99, paymentId: 'pay-FS-10042' });
      const paid = plans[2]!;
      expect(paid.key).toBe('FS-10044');
      expect(['findClient', 'order', 'payment'].map((id) => step(paid, id).decision)).toEqual(['skip', 'skip', 'skip']);
    });
  });

  describe('Shopify maps', () => {
    const revolv3 = join(mappingsDir, 'shopify-to-revolv3.yaml');
    const invoiss = join(mappingsDir, 'shopify-to-invoiss.yaml');
    const orders = (): Array<Record<string, unknown>> => sampleRecords(revolv3);

    it('Revolv3: invoice lines (Standard minus Discount) add up to total_price, rounded to cents', async () => {
      const plans = await planFile(loadDataMap({ file: revolv3 }), sampleFor(revolv3));
      plans.forEach((rec, i) => {
        const order = orders()[i]!;
        const b = body(step(rec, 'payment'));
        expect(rec.key).toBe(`shopify-${String(order.id)}`);
        expect(b).toMatchObject({ invoice: { merchantInvoiceRefId: rec.key }, email: order.email });
        const lines = (b.invoice as { invoiceLineItems: Array<{ value: number; valueType: string }> }).invoiceLineItems;
        const total = lines.reduce((sum, li) => sum + (li.valueType === 'Discount' ? -1 : 1) * cents(li.value), 0);
        expect(total).toBe(cents(Number(order.total_price)));
      });
      // #1003: 3 × "10.33" is 30.990000000000002 unrounded; the WELCOME5 code is a Discount line.
      const lines = (body(step(plans[2]!, 'payment')).invoice as { invoiceLineItems: unknown[] }).invoiceLineItems;
      expect(lines[0]).toMatchObject({ value: 30.99, valueType: 'Standard' });
      expect(lines).toContainEqual({ name: 'Discount', description: 'Codes: WELCOME5', value: 5, valueType: 'Discount' });
      // A free shipping line is left out rather than sent as a zero line.
      expect(JSON.stringify(body(step(plans[1]!, 'payment')))).not.toContain('Free Shipping');
    });

    it('Revolv3: card shown masked, security code redacted', async () => {
      const plans = await planFile(loadDataMap({ file: revolv3 }), sampleFor(revolv3));
      const pm = body(step(plans[0]!, 'payment')).paymentMethod as { creditCard: Record<string, unknown> };
      expect(pm.creditCard).toEqual({ paymentAccountNumber: '411111******1111', expirationDate: '0829', securityCode: '[redacted]' });
    });

    it('Invoiss: finds the client by email and nets discounts into the lines', async () => {
      const plans = await planFile(loadDataMap({ file: invoiss }), sampleFor(invoiss));
      expect(step(plans[0]!, 'findClient').request?.url).toBe('https://api-dev.invoiss.com/public/clients?email=olivia.chen%40example.com');
      const created = body(step(plans[1]!, 'createClient'));
      expect(created).toMatchObject({ name: 'Marcus Bell', email: 'marcus.bell@example.com', externalId: 'shopify-customer-7012345678904' });
      expect(created).not.toHaveProperty('phone'); // null in Shopify: left out, not sent as null
      const lines = body(step(plans[2]!, 'order')).lineItems as Array<Record<string, unknown>>;
      expect(lines[0]).toEqual({ name: 'Beeswax Food Wrap (3-pack)', description: '3 × 10.33 less 3.41 discount', externalId: 'WRAP-BEE-3PK', quantity: 1, price: 27.58 });
      expect(lines[1]).not.toHaveProperty('externalId'); // sku null
      expect(body(step(plans[2]!, 'payment')).amount).toBe(48.76);
    });

    it.each([['shopify-to-revolv3.yaml'], ['shopify-to-invoiss.yaml']])('%s refuses an order whose parts do not add up to total_price', async (name) => {
      const map = loadDataMap({ file: join(mappingsDir, name) });
      const bad = { ...orders()[0]!, total_price: '80.04' };
      const [rec] = await planValues(map, [bad]);
      expect(rec!.ok).toBe(false);
      expect(rec!.steps).toEqual([]);
      expect(rec!.diagnostics[0]).toMatchObject({ code: 'expression/evaluation' });
      expect(rec!.diagnostics[0]!.message).toMatch(/add up to 80\.03 but total_price is 80\.04/);
    });

    it.each([['shopify-to-revolv3.yaml'], ['shopify-to-invoiss.yaml']])('%s adds a tax line unless taxes_included is true (absent counts as false)', async (name) => {
      const map = loadDataMap({ file: join(mappingsDir, name) });
      const { taxes_included: _omit, ...noFlag } = orders()[0]!;
      void _omit;
      const included = { ...orders()[0]!, taxes_included: true, total_price: '74.50' };
      const plans = await planValues(map, [noFlag, included]);
      const taxLines = plans.map((rec) => JSON.stringify(body(step(rec, name.includes('revolv3') ? 'payment' : 'order'))).includes('Sales tax'));
      expect(plans.map((r) => r.ok)).toEqual([true, true]);
      expect(taxLines).toEqual([true, false]);
    });

    it('shopify-to-revolv3.yaml leaves the tax to Revolv3 by default (its docs: the answer\'s total includes the tax it computed), and says so when the parts do not add up', async () => {
      const map = loadDataMap({ file: join(mappingsDir, 'shopify-to-revolv3.yaml') });
      const plans: RecordPlanView[] = [];
      for await (const rec of planRecords(map, recordItems([orders()[0], { ...orders()[0]!, total_price: '80.04' }]), { clock: CLOCK, settings: { env: {} } })) plans.push(rec);
      const lines = (body(step(plans[0]!, 'payment')) as { invoice: { invoiceLineItems: Array<{ name: string; value: number }> } }).invoice.invoiceLineItems;
      expect(lines.map((l) => l.name)).not.toContain('Sales tax');
      // 80.03 total_price − 5.53 total_tax: Revolv3 adds the tax on top
      expect(Math.round(lines.reduce((a, l) => a + l.value, 0) * 100) / 100).toBe(74.5);
      expect(plans[1]!.diagnostics[0]!.message).toMatch(/the lines and the tax Revolv3 adds \(5\.53\) add up to 80\.03 but total_price is 80\.04/);
    });

    it.each([['shopify-to-revolv3.yaml'], ['shopify-to-invoiss.yaml']])('%s refuses non-USD orders and skips orders that are not pending', async (name) => {
      const map = loadDataMap({ file: join(mappingsDir, name) });
      const [eur, paid] = await planValues(map, [{ ...orders()[0]!, currency: 'EUR' }, { ...orders()[0]!, financial_status: 'paid' }]);
      expect(eur!.ok).toBe(false);
      expect(eur!.diagnostics[0]).toMatchObject({ code: 'record/invalid' });
      expect(paid!.ok).toBe(true);
      for (const s of paid!.steps) expect(s.decision === 'skip' || s.id === 'createClient', s.id).toBe(true);
      expect(paid!.steps.some((s) => s.decision === 'run')).toBe(false);
    });
  });
});

describe('payment-method references (issue 10)', () => {
  it('every shipped Revolv3 map sends a unique merchantPaymentMethodRefId per record, never the customer id', async () => {
    for (const file of mapFiles.filter((f) => f.endsWith('-to-revolv3.yaml'))) {
      const plans = await planFile(loadDataMap({ file }), sampleFor(file));
      const refs: unknown[] = [];
      for (const rec of plans) {
        for (const s of rec.steps) {
          const pm = (s.request?.body as { paymentMethod?: { merchantPaymentMethodRefId?: unknown } } | undefined)?.paymentMethod;
          if (pm?.merchantPaymentMethodRefId !== undefined) refs.push(pm.merchantPaymentMethodRefId);
        }
      }
      expect(new Set(refs).size, file).toBe(refs.length);
      const customerIds = sampleRecords(file).map((r) => (r.customer as { id?: unknown } | undefined)?.id);
      for (const ref of refs) expect(customerIds, file).not.toContain(ref);
    }
  });
});
