/**
 * `explainRecord` and `datamap explain`: for one record, every request field with its value
 * (masked when sensitive), the expression that produced it and its line in the Data Map; the
 * record fields the map never reads; the required provider fields the request leaves out.
 */
import { describe, expect, it } from 'vitest';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDataMap, explainRecord, findCardNumbers, loadDataMap, readCsvRecords, type CompiledMap, type ExplainedField, type ExplainedStep, type Explanation } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const CLOCK = (): number => Date.parse('2026-11-21T00:00:00Z');
const SAMPLES: Record<string, string> = {
  'field-service': join(root, 'examples/field-service/invoices.json'),
  shopify: join(root, 'examples/shopify/orders.json'),
  'quickbooks-csv': join(root, 'examples/quickbooks-csv/invoices.csv'),
};
const mapFiles = readdirSync(join(root, 'mappings'))
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'))
  .sort()
  .map((f) => join(root, 'mappings', f));
const FS_REVOLV3 = join(root, 'mappings/field-service-to-revolv3.yaml');
const FS_INVOISS = join(root, 'mappings/field-service-to-invoiss.yaml');
const SH_REVOLV3 = join(root, 'mappings/shopify-to-revolv3.yaml');

function sampleOf(file: string): string {
  const s = SAMPLES[basename(file, '.yaml').replace(/-to-[a-z0-9]+$/, '')];
  if (!s) throw new Error(`no samples for ${file}`);
  return s;
}

function records(file: string): Array<Record<string, unknown>> {
  if (file.endsWith('.csv')) return parseCsv(readFileSync(file, 'utf8'), { columns: true, bom: true }) as Array<Record<string, unknown>>;
  return JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
}

/** The first record of a sample file as `plan` reads it (a CSV typed by the map's input schema). */
async function firstRecord(map: CompiledMap, file: string): Promise<unknown> {
  if (!file.endsWith('.csv')) return records(file)[0];
  for await (const item of readCsvRecords(createReadStream(file), { source: file, schema: map.spec.input! })) return item.value;
  return undefined;
}

/** Every security code of the sample records (they must never be printed). */
const SECURITY_CODES = [
  ...records(SAMPLES['field-service']!).map((r) => String((r.payment as { card: { cvv: string } }).card.cvv)),
  ...records(SAMPLES.shopify!).map((r) => String((r.payment_details as { credit_card_cvv: string }).credit_card_cvv)),
  ...records(SAMPLES['quickbooks-csv']!).map((r) => String(r['card.cvv'])),
];

/** 1-based line of the first line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i === -1) throw new Error(`"${needle}" not in ${file}`);
  return i + 1;
}

function stepOf(e: Explanation, id: string): ExplainedStep {
  const s = e.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

function fieldOf(s: ExplainedStep, path: string): ExplainedField {
  const f = s.fields.find((x) => x.path === path);
  if (!f) throw new Error(`step ${s.id} has no field ${path}: ${s.fields.map((x) => x.path).join(', ')}`);
  return f;
}

function expectNothingSecret(text: string): void {
  expect(findCardNumbers(text)).toEqual([]);
  for (const cvv of SECURITY_CODES) expect(text).not.toMatch(new RegExp(`["\\s]${cvv}["\\s]`));
}

describe('explainRecord on the shipped maps', () => {
  it.each(mapFiles)('%s explains its first sample record field by field', async (file) => {
    const map = loadDataMap({ file });
    const record = await firstRecord(map, sampleOf(file));
    const e = await explainRecord(map, record, { clock: CLOCK });
    expect(e).toMatchObject({ map: file, name: map.name, index: 0, ok: true, diagnostics: [] });
    expect(e.steps.map((s) => s.id)).toEqual(map.steps.map((s) => s.id));
    for (const s of e.steps) {
      expect(s.decision).not.toBe('skip');
      expect(s.verdict).toBe('valid');
      expect(s.missingRequired).toEqual([]);
      expect(s.fields.length, `step ${s.id}`).toBeGreaterThan(0);
      for (const f of s.fields) {
        expect(f.expression.length, `${s.id} ${f.path}`).toBeGreaterThan(0);
        expect(f.location.file).toBe(file);
        expect(f.location.line).toBeGreaterThan(1);
      }
    }
    // plain data: survives JSON
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    expectNothingSecret(JSON.stringify(e));
  });
});

describe('a field: value, expression, line', () => {
  it('names the expression written for the field and its line in the Data Map', async () => {
    const e = await explainRecord(loadDataMap({ file: FS_REVOLV3 }), records(SAMPLES['field-service']!)[0], { clock: CLOCK });
    const sale = stepOf(e, 'sale');
    expect(fieldOf(sale, 'paymentMethod.billingAddress.postalCode')).toMatchObject({
      in: 'body', produced: true, value: '92701', expression: 'customer.address.zip',
      location: { file: FS_REVOLV3, line: lineOf(FS_REVOLV3, '"postalCode": customer.address.zip') },
    });
    const amount = fieldOf(sale, 'invoice.amount.value');
    expect(amount).toMatchObject({ value: 159.99, expression: '$total', location: { line: lineOf(FS_REVOLV3, '"value": $total') } });
    expect(amount.let).toMatchObject({ name: 'total', expression: '$round($sum(lines.(qty * unitPrice)), 2)', location: { line: lineOf(FS_REVOLV3, 'total: $round') } });
    expect(fieldOf(sale, 'invoice.orderProcessingChannel')).toMatchObject({ value: 'Moto', expression: '"Moto"' });
    // the column points at the expression itself
    const zip = fieldOf(sale, 'paymentMethod.billingAddress.postalCode');
    const line = readFileSync(FS_REVOLV3, 'utf8').split('\n')[zip.location.line - 1]!;
    expect(line.slice(zip.location.column - 1)).toMatch(/^customer\.address\.zip/);
  });

  it('masks the card number and redacts the security code', async () => {
    const e = await explainRecord(loadDataMap({ file: FS_REVOLV3 }), records(SAMPLES['field-service']!)[0], { clock: CLOCK });
    const sale = stepOf(e, 'sale');
    expect(fieldOf(sale, 'paymentMethod.creditCard.paymentAccountNumber')).toMatchObject({ value: '411111******1111', sensitive: 'card', expression: 'payment.card.number' });
    expect(fieldOf(sale, 'paymentMethod.creditCard.securityCode')).toMatchObject({ value: '[redacted]', sensitive: 'secret', expression: 'payment.card.cvv' });
    expectNothingSecret(JSON.stringify(e));
  });

  it('shows outputs of earlier steps as typed placeholders, and parameters with their expression', async () => {
    const e = await explainRecord(loadDataMap({ file: FS_INVOISS }), records(SAMPLES['field-service']!)[0], { clock: CLOCK });
    expect(fieldOf(stepOf(e, 'findClient'), 'externalId')).toMatchObject({ in: 'query', value: 'C-881', expression: 'customer.id', location: { line: lineOf(FS_INVOISS, 'externalId: customer.id') } });
    const order = stepOf(e, 'order');
    expect(fieldOf(order, 'client').value).toMatch(/^<\$steps\.findClient\.clientId: string>$/);
    expect(fieldOf(order, 'client').expression).toBe('$steps.findClient.clientId ?: $steps.createClient.clientId');
    // array items built per line: each item field maps to the expression inside the mapping
    expect(fieldOf(order, 'lineItems[1].price')).toMatchObject({ value: 10.33, expression: 'unitPrice', location: { line: lineOf(FS_INVOISS, '"price": unitPrice') } });
    expect(fieldOf(stepOf(e, 'payment'), 'order.grandTotal').value).toBe('<$steps.order.grandTotal: number>');
  });

  it('lists a field whose expression gave nothing as not produced', async () => {
    // record 2 has no address unit
    const e = await explainRecord(loadDataMap({ file: FS_REVOLV3 }), records(SAMPLES['field-service']!)[1], { clock: CLOCK, index: 1 });
    const f = fieldOf(stepOf(e, 'sale'), 'paymentMethod.billingAddress.addressLine2');
    expect(f).toMatchObject({ produced: false, expression: 'customer.address.unit' });
    expect(f).not.toHaveProperty('value');
  });

  it('traces items of a let-built list to the element that made them', async () => {
    const third = records(SAMPLES.shopify!)[2];
    const e = await explainRecord(loadDataMap({ file: SH_REVOLV3 }), third, { clock: CLOCK });
    const pay = stepOf(e, 'payment');
    const items = pay.fields.filter((f) => /^invoice\.invoiceLineItems\[\d+\]\.valueType$/.test(f.path));
    expect(items.length).toBeGreaterThan(1);
    for (const f of items) {
      expect(f.expression).toBe('$invoiceLines');
      expect(f.let?.name).toBe('invoiceLines');
      expect(f.let?.expression).toBe(JSON.stringify(f.value));
    }
  });

  it('gives the whole request when it is not an object constructor', async () => {
    const text = `provider: revolv3
key: id
steps:
  - id: sale
    operation: payments.sale
    request: |
      $merge([
        { "invoice": { "merchantInvoiceRefId": $key, "amount": { "value": total } } },
        { "paymentMethod": { "creditCard": { "paymentAccountNumber": pan, "expirationDate": exp } } }
      ])
`;
    const map = loadDataMap({ text, file: 'merge.yaml' });
    const e = await explainRecord(map, { id: 'A-1', total: 10, pan: '4111111111111111', exp: '1030' }, { clock: CLOCK });
    const f = fieldOf(stepOf(e, 'sale'), 'invoice.amount.value');
    expect(f.expression).toBe(map.steps[0]!.request!.source.trim());
    expect(f.location).toMatchObject({ file: 'merge.yaml', line: 7, column: 7 });
    expect(fieldOf(stepOf(e, 'sale'), 'paymentMethod.creditCard.paymentAccountNumber').value).toBe('411111******1111');
    expectNothingSecret(JSON.stringify(e));
  });
});

describe('record fields the map never reads', () => {
  it('lists them as leaf paths, arrays as []', async () => {
    const e = await explainRecord(loadDataMap({ file: FS_REVOLV3 }), records(SAMPLES['field-service']!)[0], { clock: CLOCK });
    expect(e.unreadFields).toEqual(expect.arrayContaining(['technician', 'issuedAt', 'customer.phone', 'lines[].sku', 'lines[].description', 'payment.method', 'payment.card.holder']));
    for (const read of ['invoiceNumber', 'status', 'customer.address.zip', 'lines[].qty', 'lines[].unitPrice', 'payment.card.number', 'payment.card.cvv', 'payment.card.expMonth']) {
      expect(e.unreadFields).not.toContain(read);
    }
  });

  it('does not list a field one map reads (technician goes into Invoiss order metadata)', async () => {
    const e = await explainRecord(loadDataMap({ file: FS_INVOISS }), records(SAMPLES['field-service']!)[0], { clock: CLOCK });
    expect(e.unreadFields).not.toContain('technician');
    expect(e.unreadFields).toEqual(expect.arrayContaining(['payment.card.number', 'customer.address.zip']));
  });

  it('counts a field as read when an expression reads an ancestor whole', async () => {
    const text = `provider: revolv3
key: id
steps:
  - id: sale
    operation: payments.sale
    request: |
      { "invoice": { "merchantInvoiceRefId": $key, "amount": { "value": $sum(lines.price) } },
        "paymentMethod": { "creditCard": { "paymentAccountNumber": card.pan, "expirationDate": card.exp } },
        "dynamicDescriptor": $count(meta) > 0 ? null }
`;
    const map = loadDataMap({ text, file: 'x.yaml' });
    const e = await explainRecord(map, { id: 'X', lines: [{ price: 1, sku: 'a' }], card: { pan: '4111111111111111', exp: '1030', name: 'N' }, meta: { a: 1, b: { c: 2 } }, extra: 1 }, { clock: CLOCK });
    expect(e.unreadFields).toEqual(['lines[].sku', 'card.name', 'extra']);
  });
});

describe('required provider fields the request does not produce', () => {
  const text = `provider: revolv3
key: id
steps:
  - id: sale
    operation: payments.sale
    request: |
      { "invoice": { "merchantInvoiceRefId": $key },
        "paymentMethod": { "creditCard": { "paymentAccountNumber": pan, "expirationDate": exp } } }
`;
  const record = { id: 'A-1', pan: '4111111111111111', exp: '1030' };

  it('are reported per step, through nested required objects', async () => {
    // a certain static-check error makes loadDataMap refuse; checkDataMap still gives the map
    const map = checkDataMap({ text, file: 'missing.yaml' }).map!;
    const e = await explainRecord(map, record, { clock: CLOCK });
    const sale = stepOf(e, 'sale');
    expect(sale.missingRequired).toEqual(['invoice.amount', 'invoice.amount.value']);
    expect(sale.verdict).toBe('invalid');
    expect(e.ok).toBe(false);
  });

  it('are printed by the CLI, which exits 1', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'datamap-explain-'));
    try {
      const mapFile = join(dir, 'missing.yaml');
      const input = join(dir, 'records.json');
      writeFileSync(mapFile, text);
      writeFileSync(input, JSON.stringify([record]));
      const out = await runCli(['explain', mapFile, '--input', input]);
      expect(out.code).toBe(1);
      expect(out.stdout).toContain('required by payments.sale but not produced: invoice.amount, invoice.amount.value');
      // validate reports the same statically
      expect(out.stderr).toContain('check/missing-required-field');
      expectNothingSecret(out.stdout + out.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('datamap explain (CLI)', () => {
  it('prints a table per step and the unread fields, with nothing secret in it', async () => {
    const out = await runCli(['explain', FS_REVOLV3, '--input', SAMPLES['field-service']!]);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    const zipLine = out.stdout.split('\n').find((l) => l.includes('paymentMethod.billingAddress.postalCode'));
    expect(zipLine).toBeDefined();
    expect(zipLine).toContain('"92701"');
    expect(zipLine).toContain('customer.address.zip');
    expect(zipLine).toContain(`${FS_REVOLV3}:${lineOf(FS_REVOLV3, '"postalCode": customer.address.zip')}`);
    expect(out.stdout).toContain('411111******1111');
    expect(out.stdout).toMatch(/securityCode\s+"\[redacted\]"/);
    expect(out.stdout).toContain('Record fields the map never reads:');
    expect(out.stdout).toMatch(/^ {2}technician$/m);
    expectNothingSecret(out.stdout);
  });

  it.each(mapFiles)('explains every sample record of %s without printing card data', async (file) => {
    for (let n = 1; n <= records(sampleOf(file)).length; n++) {
      for (const json of [false, true]) {
        const out = await runCli(['explain', file, '--input', sampleOf(file), '--record', String(n), ...(json ? ['--json'] : [])]);
        expect(out.code, `record ${n}`).toBe(0);
        expectNothingSecret(out.stdout + out.stderr);
      }
    }
  });

  it('--json prints the explanation as data; --record picks the record', async () => {
    const out = await runCli(['explain', FS_REVOLV3, '--input', SAMPLES['field-service']!, '--record', '3', '--json']);
    expect(out.code).toBe(0);
    const e = JSON.parse(out.stdout) as Explanation;
    expect(e.index).toBe(2);
    expect(e.key).toBe('FS-10044');
    // record 3 is paid: the sale is skipped
    expect(e.steps[0]).toMatchObject({ id: 'sale', decision: 'skip', verdict: 'skipped', fields: [] });
  });

  it('reads standard input', async () => {
    const one = JSON.stringify(records(SAMPLES['field-service']!)[0]);
    const out = await runCli(['explain', FS_REVOLV3, '--input', '-', '--json'], { stdin: [one] });
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as Explanation).key).toBe('FS-10042');
  });

  it('exits 2 for a record that does not exist or a bad --record', async () => {
    const missing = await runCli(['explain', FS_REVOLV3, '--input', SAMPLES['field-service']!, '--record', '9']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('usage/input');
    const bad = await runCli(['explain', FS_REVOLV3, '--input', SAMPLES['field-service']!, '--record', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage/invalid-argument');
    const nofile = await runCli(['explain', FS_REVOLV3, '--input', join(root, 'no-such.json')]);
    expect(nofile.code).toBe(2);
  });
});

describe('a request written as a let', () => {
  it('follows the let for each field', async () => {
    const text = `provider: revolv3
key: id
let:
  body: |
    { "invoice": { "merchantInvoiceRefId": $key, "amount": { "value": total } },
      "paymentMethod": { "creditCard": { "paymentAccountNumber": pan, "expirationDate": exp, "securityCode": "999" } } }
steps:
  - id: sale
    operation: payments.sale
    request: $body
`;
    const map = loadDataMap({ text, file: 'let.yaml' });
    const e = await explainRecord(map, { id: 'A-1', total: 10, pan: '4111111111111111', exp: '1030' }, { clock: CLOCK });
    const sale = stepOf(e, 'sale');
    expect(fieldOf(sale, 'invoice.amount.value')).toMatchObject({ value: 10, expression: '$body', location: { line: 10 }, let: { name: 'body', expression: 'total', location: { line: 5 } } });
    // a literal written for a security code is not echoed
    expect(fieldOf(sale, 'paymentMethod.creditCard.securityCode')).toMatchObject({ value: '[redacted]', let: { expression: '[redacted]' } });
    expect(JSON.stringify(e)).not.toContain('999');
  });
});
