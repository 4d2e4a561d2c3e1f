import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { checkDataMap, DatamapError, findCardNumbers, initDataMap, loadDataMap, planRecord, SANDBOX_SETTINGS } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'datamap-init-'));
const fieldService = JSON.parse(readFileSync('examples/field-service/invoices.json', 'utf8')) as Array<Record<string, unknown>>;
const shopifyFile = 'examples/shopify/orders.json';
const shopify = existsSync(shopifyFile) ? JSON.parse(readFileSync(shopifyFile, 'utf8')) as Array<Record<string, unknown>> : undefined;

function errorsOf(text: string, file = join(dir, 'map.yaml')) {
  return checkDataMap({ text, file }).diagnostics.filter((d) => d.severity === 'error');
}

/** The map validates, and every record of the sample plans with valid payloads. */
async function expectUsable(text: string, records: unknown[]) {
  expect(errorsOf(text).map((d) => `${d.code} ${d.message} @${d.location?.line}`)).toEqual([]);
  const map = loadDataMap({ text, file: 'generated.yaml' });
  const plan = await planRecord(map, records[0], { clock: () => 0, baseUrl: 'http://127.0.0.1:9/provider', settings: { env: { ...SANDBOX_SETTINGS } } });
  expect(plan.diagnostics).toEqual([]);
  expect(plan.steps.flatMap((s) => s.diagnostics)).toEqual([]);
  expect(plan.ok).toBe(true);
}

describe('initDataMap (library)', () => {
  it('revolv3 without a sample: fails validate only with the $todo placeholders, at their lines', () => {
    const r = initDataMap({ provider: 'revolv3', outFile: join(dir, 'a.yaml') });
    expect(r.steps).toEqual([{ id: 'sale', operation: 'payments.sale' }]);
    expect(r.text).toMatch(/^# yaml-language-server: \$schema=\S+datamap\.schema\.json\n/);
    expect(r.text).toContain('Every $todo("...") below marks a value still to map');
    expect(r.text).toContain('version: 1');
    expect(r.text).not.toContain('input:');
    expect(r.todos.map((t) => t.field)).toEqual([
      'key',
      'paymentMethod.creditCard.paymentAccountNumber',
      'paymentMethod.creditCard.expirationDate',
      'invoice.amount.value',
    ]);
    expect(r.todos.find((t) => t.field === 'invoice.amount.value')?.label).toBe('invoice.amount.value (number, minimum 0, at most 2 decimals, e.g. 30.99)');
    expect(r.text).toContain('"merchantInvoiceRefId": $string($key)');
    const errors = errorsOf(r.text);
    expect(errors.length).toBe(r.todos.length);
    for (const e of errors) {
      expect(e.code).toBe('datamap/unknown-let');
      expect(e.message).toBe('$todo is not defined');
    }
    const lines = r.text.split('\n');
    expect(errors.map((e) => e.location?.line).sort()).toEqual(r.todos.map((t) => t.line).sort());
    for (const e of errors) expect(lines[e.location!.line - 1]!.slice(e.location!.column - 1)).toMatch(/^\$todo\("/);
  });

  it('invoiss without a sample: the four standard steps; only $todo findings', () => {
    const r = initDataMap({ provider: 'invoiss' });
    expect(r.steps.map((s) => `${s.id}:${s.operation}`)).toEqual(['findClient:clients.find', 'createClient:clients.create', 'order:orders.create', 'payment:payments.process']);
    expect(r.text).toContain('when: $steps.findClient.matches = 0');
    expect(r.text).toContain('"client": $steps.findClient.clientId ?: $steps.createClient.clientId');
    expect(r.text).toContain('"paymentId": "pay-" & $key');
    expect(r.text).toContain('ASSUMED contract');
    // no guessed host is written as the environment: the choices are listed as comments
    expect(r.text).not.toMatch(/^ {2}environment:/m);
    expect(r.text).toContain('#   environment: sandbox   # https://api-dev.invoiss.com');
    // every attribute payments.process requires, from declared settings
    expect(r.text).toContain('"company": {\n          "id": $settings.companyId');
    expect(r.text).toMatch(/settings:\n {2}companyId:\n {4}description: .*\n {4}env: INVOISS_COMPANY_ID/);
    expect(r.todos.map((t) => `${t.step} ${t.field}`)).toEqual([
      'key key',
      'findClient params.externalId',
      'createClient name',
      'order lineItems[].name',
      'order lineItems[].quantity',
      'order lineItems[].price',
    ]);
    // createClient sends the same external id the search uses (one placeholder, written twice)
    expect(r.text).toMatch(/"externalId": \$todo\("params\.externalId/);
    const errors = errorsOf(r.text);
    expect(errors.length).toBe(7);
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(['datamap/unknown-let']));
  });

  it('revolv3 with a field-service invoice: every required field mapped; validates and plans', async () => {
    const r = initDataMap({ provider: 'revolv3', sample: fieldService[0], sampleName: 'invoices' });
    expect(r.todos).toEqual([]);
    expect(r.text).toContain('name: "invoices to Revolv3"');
    expect(r.text).toContain('key: invoiceNumber');
    expect(r.text).toContain('"paymentAccountNumber": payment.card.number');
    expect(r.text).toContain('"expirationDate": $pad($string(payment.card.expMonth), -2, "0") & $substring($string(payment.card.expYear), -2)');
    expect(r.text).toContain('"postalCode": customer.address.zip');
    expect(r.text).toContain('"value": $round($sum(lines.(qty * unitPrice)), 2)');
    expect(r.text).toContain('"merchantInvoiceRefId": $key');
    expect(r.text).toContain('required: [invoiceNumber, customer, lines, payment]');
    expect(r.text).toContain('invoiceNumber: { type: string }');
    expect(findCardNumbers(r.text)).toEqual([]); // sample values never reach the map
    await expectUsable(r.text, fieldService);
  });

  it('invoiss with a field-service invoice: client by customer id, lines mapped into lineItems', async () => {
    const r = initDataMap({ provider: 'invoiss', sample: fieldService[0] });
    expect(r.todos).toEqual([]);
    expect(r.text).toContain('externalId: customer.id');
    expect(r.text).toContain('"name": customer.firstName & " " & customer.lastName');
    expect(r.text).toContain('"lineItems": [lines.{');
    expect(r.text).toContain('"name": description,');
    expect(r.text).toContain('"quantity": qty,');
    expect(r.text).toContain('"price": unitPrice');
    await expectUsable(r.text, fieldService);
  });

  it.runIf(shopify !== undefined)('both providers with a Shopify order: snake_case and string amounts', async () => {
    const revolv3 = initDataMap({ provider: 'revolv3', sample: shopify![0] });
    expect(revolv3.todos).toEqual([]);
    expect(revolv3.text).toContain('"paymentAccountNumber": payment_details.credit_card_number');
    expect(revolv3.text).toContain('"postalCode": billing_address.zip');
    expect(revolv3.text).toContain('"value": $number(total_price)');
    expect(revolv3.text).toContain('"merchantInvoiceRefId": $string($key)'); // order_number is a number
    await expectUsable(revolv3.text, shopify!);
    const invoiss = initDataMap({ provider: 'invoiss', sample: shopify![0] });
    expect(invoiss.todos).toEqual([]);
    expect(invoiss.text).toContain('"lineItems": [line_items.{');
    expect(invoiss.text).toContain('"price": $number(price)');
    expect(invoiss.text).toContain('"name": customer.first_name & " " & customer.last_name');
    await expectUsable(invoiss.text, shopify!);
  });

  it('matches by normalized names and synonyms (zip/postal_code, card_number, expiry, first_name)', async () => {
    const sample = {
      order_id: 'A-100',
      grand_total: 42.5,
      buyer: { first_name: 'Ada', last_name: 'Byron', postal_code: '92618', street: '1 Loop Rd' },
      card: { card_number: '4111111111111111', expiry: '1230', cvv: '123' },
    };
    const r = initDataMap({ provider: 'revolv3', sample });
    expect(r.todos).toEqual([]);
    expect(r.text).toContain('key: order_id');
    expect(r.text).toContain('"paymentAccountNumber": card.card_number');
    expect(r.text).toContain('"expirationDate": card.expiry');
    expect(r.text).toContain('"securityCode": card.cvv');
    expect(r.text).toContain('"postalCode": buyer.postal_code');
    expect(r.text).toContain('"billingFirstName": buyer.first_name');
    expect(r.text).toContain('"value": grand_total');
    expect(r.text).not.toContain('4111111111111111');
    await expectUsable(r.text, [sample]);
    expect(r.mapped).toContainEqual({ step: 'sale', field: 'paymentMethod.creditCard.paymentAccountNumber', expression: 'card.card_number', from: ['card.card_number'] });
  });

  it('a partly matching sample leaves $todo only for what it lacks', () => {
    const r = initDataMap({ provider: 'revolv3', sample: { invoiceNumber: 'X-1', total: 10 } });
    expect(r.todos.map((t) => t.field)).toEqual(['paymentMethod.creditCard.paymentAccountNumber', 'paymentMethod.creditCard.expirationDate']);
    expect(r.text).toContain('"value": total');
    const errors = errorsOf(r.text);
    expect(errors.map((e) => e.code)).toEqual(['datamap/unknown-let', 'datamap/unknown-let']);
  });

  it('the modeline points at the package\'s schema, relative to the output folder', () => {
    const out = join(dir, 'deep', 'er', 'map.yaml');
    const r = initDataMap({ provider: 'revolv3', outFile: out });
    const rel = /\$schema=(\S+)/.exec(r.text)![1]!;
    expect(resolve(dirname(out), rel)).toBe(resolve('schemas/datamap.schema.json'));
    expect(initDataMap({ provider: 'revolv3', outFile: 'mappings/new.yaml' }).text).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/datamap\.schema\.json\n/);
  });

  it('rejects an unknown provider (with a hint) and a sample that is not an object', () => {
    expect(() => initDataMap({ provider: 'invoice' })).toThrow(DatamapError);
    try {
      initDataMap({ provider: 'invoise' });
    } catch (err) {
      expect((err as DatamapError).code).toBe('datamap/unknown-provider');
      expect((err as DatamapError).diagnostics[0]?.hint).toContain('Did you mean invoiss?');
    }
    try {
      initDataMap({ provider: 'revolv3', sample: [1, 2] });
      expect.unreachable();
    } catch (err) {
      expect((err as DatamapError).code).toBe('record/not-object');
    }
  });
});

describe('datamap init (CLI)', () => {
  it('writes to standard output, the summary to standard error', async () => {
    const { code, stdout: out, stderr: err } = await runCli(['init', '--provider', 'revolv3', '--sample', 'examples/field-service/invoices.json']);
    expect(code).toBe(0);
    expect(out).toContain('name: "invoices to Revolv3"');
    expect(errorsOf(out)).toEqual([]);
    expect(err).toContain('values mapped from fields of examples/field-service/invoices.json');
    expect(err).toContain('no $todo left');
  });

  it('--out writes the file, which `datamap validate` accepts; refuses to overwrite without --force', async () => {
    const out = join(dir, 'cli', 'fs-invoiss.yaml');
    const first = await runCli(['init', '--provider', 'invoiss', '--sample', 'examples/field-service/invoices.json', '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(`wrote ${out}`);
    const written = readFileSync(out, 'utf8');
    const validate = await runCli(['validate', out]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('0 errors');

    const again = await runCli(['init', '--provider', 'revolv3', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error usage/invalid-argument');
    expect(again.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe(written);

    const forced = await runCli(['init', '--provider', 'revolv3', '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('operation: payments.sale');
    expect(forced.stderr).toMatch(/4 \$todo placeholders to replace/);
  });

  it('a map without a sample fails `datamap validate` only with understandable $todo findings', async () => {
    const out = join(dir, 'cli', 'todo.yaml');
    expect((await runCli(['init', '--provider', 'invoiss', '--out', out])).code).toBe(0);
    const { code, stdout: text } = await runCli(['validate', out, '--json']);
    expect(code).toBe(2);
    const report = JSON.parse(text) as { errors: number; files: Array<{ diagnostics: Array<{ code: string; message: string; severity: string }> }> };
    expect(report.errors).toBe(7);
    // Invoiss has no default environment: the starter map leaves the choice to the user
    expect(report.files[0]!.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code)).toEqual(['run/environment-required']);
    for (const d of report.files[0]!.diagnostics.filter((x) => x.severity === 'error')) {
      expect(d.code).toBe('datamap/unknown-let');
      expect(d.message).toBe('$todo is not defined');
    }
    const plain = await runCli(['validate', out]);
    expect(plain.stdout).toContain('"name": $todo("name (string, length 1..200)")');
  });

  it('reads the first record of an NDJSON sample', async () => {
    const file = join(dir, 'sample.ndjson');
    writeFileSync(file, `${JSON.stringify(fieldService[0])}\n${JSON.stringify(fieldService[1])}\n`);
    const { code, stdout: out } = await runCli(['init', '--provider', 'revolv3', '--sample', file, '--name', 'my map']);
    expect(code).toBe(0);
    expect(out).toContain('name: "my map"');
    expect(errorsOf(out)).toEqual([]);
  });

  it('errors: unknown provider, missing or bad sample → exit 2 with a code', async () => {
    const p = await runCli(['init', '--provider', 'revolv']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('error datamap/unknown-provider');
    expect(p.stderr).toContain('Did you mean revolv3?');
    const missing = await runCli(['init', '--provider', 'revolv3', '--sample', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error source/file-not-found');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "a": ');
    const syntax = await runCli(['init', '--provider', 'revolv3', '--sample', bad]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('error source/json-syntax');
    const notObject = join(dir, 'list.json');
    writeFileSync(notObject, '[1, 2]');
    const n = await runCli(['init', '--provider', 'revolv3', '--sample', notObject]);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('error record/not-object');
    expect((await runCli(['init'])).code).toBe(2); // --provider is required
  });
});
