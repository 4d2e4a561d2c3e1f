/**
 * Record-level errors of the dry run: each bad record gets a coded diagnostic, and a bad record
 * never loses the others. Uses the public API (planRecord/planRecords/readRecords) and the CLI
 * in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkDataMap, loadDataMap, planRecord, planRecords, readRecords, recordItems, runRecords,
  type CompiledMap, type Diagnostic, type RecordPlanView,
} from '../../src/index.js';
import { collect, runCli } from '../helpers/cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAP_FILE = join(repoRoot, 'mappings/field-service-to-revolv3.yaml');
const MAP_TEXT = readFileSync(MAP_FILE, 'utf8');
const clock = () => Date.UTC(2026, 10, 5);

/** A record the shipped Data Map accepts; `lines` gives a total of 3 × 10.33. */
function invoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    invoiceNumber: 'FS-1',
    status: 'open',
    customer: {
      id: 'C-1', firstName: 'Dana', lastName: 'Reyes', email: 'dana@example.com',
      address: { street: '100 Main St', city: 'Santa Ana', state: 'CA', zip: '92701', country: 'US' },
    },
    lines: [{ description: 'Air filter', qty: 3, unitPrice: 10.33 }],
    payment: { method: 'card', card: { number: '4111111111111111', expMonth: 10, expYear: 2028, cvv: '123' } },
    ...overrides,
  };
}

function compile(text: string, file = 'inline.yaml'): CompiledMap {
  const { map, diagnostics } = checkDataMap({ text, file });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return map!;
}

/** A minimal Data Map for one step, with no input schema. */
function miniMap(parts: { key?: string; let?: string; request?: string; operation?: string }): string {
  return [
    'provider: revolv3',
    `key: ${parts.key ?? 'invoiceNumber'}`,
    ...(parts.let ? ['let:', ...parts.let.split('\n').map((l) => `  ${l}`)] : []),
    'steps:',
    '  - id: sale',
    `    operation: ${parts.operation ?? 'payments.sale'}`,
    '    request: |',
    ...(parts.request ?? '{ "invoice": { "merchantInvoiceRefId": $key, "amount": { "currency": "USD", "value": 1 } }, "paymentMethod": { "billingFullName": "Dana Reyes", "creditCard": { "paymentAccountNumber": "4111111111111111", "expirationDate": "1028" } } }')
      .split('\n').map((l) => `      ${l}`),
    '',
  ].join('\n');
}

function codes(v: RecordPlanView): string[] {
  return [...v.diagnostics, ...v.steps.flatMap((s) => s.diagnostics)].map((d) => d.code);
}

function allDiagnostics(v: RecordPlanView): Diagnostic[] {
  return [...v.diagnostics, ...v.steps.flatMap((s) => s.diagnostics)];
}

/** 1-based line and column of the first match of `needle` in `text`, at or after line `fromLine`. */
function position(text: string, needle: string, fromLine = 1): { line: number; column: number } {
  const lines = text.split('\n');
  for (let i = fromLine - 1; i < lines.length; i++) {
    const col = lines[i]!.indexOf(needle);
    if (col !== -1) return { line: i + 1, column: col + 1 };
  }
  throw new Error(`${needle} not found`);
}

let map: CompiledMap;
let dir: string;
beforeAll(() => {
  map = loadDataMap({ file: MAP_FILE });
  dir = mkdtempSync(join(tmpdir(), 'datamap-records-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a valid record', () => {
  it('plans cleanly with the shipped Data Map', async () => {
    const v = await planRecord(map, invoice(), { clock });
    expect(codes(v)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.key).toBe('FS-1');
    expect((v.steps[0]!.request!.body as { invoice: { amount: { value: number } } }).invoice.amount.value).toBe(30.99);
  });
});

describe('record/not-object', () => {
  it.each([
    ['a number', 42, 'a number'],
    ['a string', 'FS-1', 'a string'],
    ['an array', [invoice()], 'an array'],
    ['null', null, 'null'],
    ['a boolean', true, 'a boolean'],
  ])('rejects %s', async (_label, record, what) => {
    const v = await planRecord(map, record, { clock });
    expect(v.ok).toBe(false);
    expect(codes(v)).toEqual(['record/not-object']);
    expect(v.diagnostics[0]!.message).toContain(what);
    expect(v.steps).toEqual([]);
  });
});

describe('record/invalid', () => {
  it('reports each input-schema violation, located at the Data Map input schema', async () => {
    const { payment: _payment, ...rest } = invoice();
    const v = await planRecord(map, { ...rest, status: 'pending' }, { clock });
    expect(v.ok).toBe(false);
    expect(codes(v)).toEqual(['record/invalid', 'record/invalid']);
    const messages = v.diagnostics.map((d) => d.message).join('\n');
    expect(messages).toContain('"payment"');
    expect(messages).toContain('status');
    // located in the Data Map's `input` block
    const inputLine = position(MAP_TEXT, 'input:').line;
    for (const d of v.diagnostics) {
      expect(d.location!.file).toBe(MAP_FILE);
      expect(d.location!.line).toBeGreaterThanOrEqual(inputLine);
      expect(d.location!.line).toBeLessThan(position(MAP_TEXT, 'key: invoiceNumber').line);
    }
  });
});

describe('record/forbidden-key', () => {
  it('rejects a record with a __proto__ key (as JSON.parse makes it) and does not pollute', async () => {
    const record = JSON.parse('{"invoiceNumber":"FS-1","customer":{"__proto__":{"polluted":true}}}') as unknown;
    const v = await planRecord(map, record, { clock });
    expect(codes(v)).toEqual(['record/forbidden-key']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects it in record items built by hand (not read by readRecords/recordItems), in planRecords and runRecords', async () => {
    const record = JSON.parse('{"invoiceNumber":"FS-1","customer":{"__proto__":{"polluted":true}}}') as unknown;
    const views: RecordPlanView[] = [];
    for await (const v of planRecords(map, [{ index: 0, line: 1, value: record }], { clock })) views.push(v);
    expect(views.map(codes)).toEqual([['record/forbidden-key']]);
    const results = [];
    for await (const r of runRecords(map, [{ index: 0, line: 1, value: record }], { credentials: { REVOLV3_TOKEN: 'tok_test' }, env: {}, transport: async () => { throw new Error('no call may be made'); } })) results.push(r);
    expect(results.map((r) => [r.outcome, r.diagnostics.map((d) => d.code)])).toEqual([['failed', ['record/forbidden-key']]]);
  });

  it.each(['constructor', 'prototype'])('rejects a record with a %s key', async (key) => {
    const v = await planRecord(map, { ...invoice(), [key]: { x: 1 } }, { clock });
    expect(codes(v)).toEqual(['record/forbidden-key']);
  });
});

describe('record/missing-key', () => {
  const m = () => compile(miniMap({}));
  it.each([
    ['missing', {}],
    ['empty', { invoiceNumber: '' }],
    ['blank', { invoiceNumber: '   ' }],
    ['an object', { invoiceNumber: { a: 1 } }],
    ['a boolean', { invoiceNumber: true }],
  ])('rejects a key that is %s, at the key expression', async (_label, record) => {
    const v = await planRecord(m(), record, { clock });
    expect(codes(v)).toEqual(['record/missing-key']);
    expect(v.diagnostics[0]!.location).toMatchObject({ line: 2, column: 6 });
  });

  it('accepts a numeric key', async () => {
    const v = await planRecord(m(), { invoiceNumber: 10042 }, { clock });
    expect(codes(v)).toEqual([]);
    expect(v.key).toBe('10042');
  });
});

describe('schema/payload-invalid', () => {
  const noRound = MAP_TEXT.replace('total: $round($sum(lines.(qty * unitPrice)), 2)', 'total: $sum(lines.(qty * unitPrice))');

  it('a float artifact names the payload path and the Data Map line of the field that produced it', async () => {
    expect(noRound).not.toBe(MAP_TEXT);
    const m = compile(noRound, 'no-round.yaml');
    const v = await planRecord(m, invoice(), { clock });
    expect(v.ok).toBe(false);
    const step = v.steps[0]!;
    expect(step.verdict).toBe('invalid');
    expect(step.diagnostics.map((d) => d.code)).toEqual(['schema/payload-invalid']);
    const d = step.diagnostics[0]!;
    expect(d.data).toMatchObject({ payloadPath: 'invoice.amount.value', step: 'sale', operation: 'payments.sale' });
    expect(d.message).toContain('invoice.amount.value');
    expect(d.message).toContain('decimal');
    // the line of "value" inside the step's request block
    const requestLine = position(noRound, 'request: |').line;
    const expected = position(noRound, '"value"', requestLine);
    expect(d.location).toMatchObject({ file: 'no-round.yaml', ...expected });
    // the offending value is shown as planned
    expect((step.request!.body as { invoice: { amount: { value: number } } }).invoice.amount.value).toBe(30.990000000000002);
  });

  it('$round makes the same record pass', async () => {
    const v = await planRecord(map, invoice(), { clock });
    expect(v.ok).toBe(true);
    expect(v.steps[0]!.verdict).toBe('valid');
  });

  it('reports every violation of a payload at once', async () => {
    // values come from the record, so only the dry run can see them
    const m = compile(miniMap({ request: '$exists(paymentMethod) ? { "paymentMethod": paymentMethod } : { "invoice": { "merchantInvoiceRefId": $key, "amount": { "currency": currency, "value": value } } }' }));
    const v = await planRecord(m, { invoiceNumber: 'A', currency: 'EUR', value: -1 }, { clock });
    const found = allDiagnostics(v).filter((d) => d.code === 'schema/payload-invalid');
    expect(found.map((d) => d.data?.payloadPath)).toEqual(expect.arrayContaining(['invoice.amount.currency', 'invoice.amount.value']));
    // a missing property is reported on its parent
    expect(found.some((d) => d.data?.payloadPath === '(root)' && d.message.includes('"paymentMethod"'))).toBe(true);
  });
});

describe('expression/evaluation', () => {
  it('a let that fails for one record is located at that let', async () => {
    const text = miniMap({ let: 'total: $sum(lines.(qty * unitPrice))' });
    const m = compile(text);
    const v = await planRecord(m, { invoiceNumber: 'A', lines: [{ qty: 1, unitPrice: '12.50' }] }, { clock });
    expect(codes(v)).toEqual(['expression/evaluation']);
    expect(v.diagnostics[0]!.message).toContain('let total');
    expect(v.diagnostics[0]!.location!.line).toBe(position(text, 'total:').line);
  });

  it('$error raised by the Data Map is an evaluation error of the step', async () => {
    const m = compile(miniMap({ request: '$exists(amount) ? { "invoice": {} } : $error("no amount for " & $key)' }));
    const v = await planRecord(m, { invoiceNumber: 'A' }, { clock });
    expect(codes(v)).toEqual(['expression/evaluation']);
    expect(v.steps[0]!.diagnostics[0]!.message).toContain('no amount for A');
  });
});

describe('expression/timeout', () => {
  it('a recursive function ends in a coded error within the time limit', async () => {
    const m = compile(miniMap({ let: 'x: ( $f := function($n){ $f($n + 1) }; $f(0) )' }));
    const t = Date.now();
    const v = await planRecord(m, { invoiceNumber: 'A' }, { clock });
    expect(Date.now() - t).toBeLessThan(3000);
    expect(codes(v)).toEqual(['expression/timeout']);
  });

  it('a huge sequence ends in a coded error', async () => {
    const m = compile(miniMap({ let: 'x: $count([1..10000000])' }));
    const t = Date.now();
    const v = await planRecord(m, { invoiceNumber: 'A' }, { clock });
    expect(Date.now() - t).toBeLessThan(3000);
    expect(codes(v)).toEqual(['expression/too-large']);
  });
});

describe('expression/not-object', () => {
  it('a request that produces nothing', async () => {
    const m = compile(miniMap({ request: 'order' }));
    const v = await planRecord(m, { invoiceNumber: 'A' }, { clock });
    expect(codes(v)).toEqual(['expression/not-object']);
    // the first line of the request block
    expect(v.steps[0]!.diagnostics[0]!.location).toMatchObject({ line: 7, column: 7 });
  });

  it.each([
    ['a string', '"invoice"', 'a string'],
    ['an array', '[{ "invoice": {} }]', 'an array'],
    ['a number', '42', 'a number'],
    ['null', 'null', 'null'],
  ])('a request that produces %s', async (_label, request, what) => {
    const m = compile(miniMap({ request }));
    const v = await planRecord(m, { invoiceNumber: 'A' }, { clock });
    expect(codes(v)).toEqual(['expression/not-object']);
    expect(v.steps[0]!.diagnostics[0]!.message).toContain(what);
  });
});

describe('one bad record never loses the others', () => {
  it('planRecords yields every record, good and bad, in order', async () => {
    const records = [invoice({ invoiceNumber: 'A' }), 42, JSON.parse('{"__proto__":{}}') as unknown, invoice({ payment: undefined }), null, invoice({ invoiceNumber: 'B' })];
    const views = await collect(planRecords(map, recordItems(records), { clock }));
    expect(views.map((v) => v.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(views.map((v) => v.ok)).toEqual([true, false, false, false, false, true]);
    expect(views.map((v) => codes(v)[0] ?? 'ok')).toEqual(['ok', 'record/not-object', 'record/forbidden-key', 'record/invalid', 'record/not-object', 'ok']);
    expect(views.map((v) => v.key)).toEqual(['A', undefined, undefined, undefined, undefined, 'B']);
  });

  it('an NDJSON stream with a bad line between good ones plans the good ones (source/json-syntax at its line)', async () => {
    const text = [
      JSON.stringify(invoice({ invoiceNumber: 'A' })),
      '{"invoiceNumber": "BROKEN", "status": ',
      JSON.stringify(invoice({ invoiceNumber: 'C' })),
      '{"invoiceNumber": "D", "status": "open", }',
      JSON.stringify(invoice({ invoiceNumber: 'E' })),
      '',
    ].join('\n');
    const views = await collect(planRecords(map, readRecords([text], { source: 'invoices.ndjson' }), { clock }));
    expect(views.map((v) => [v.line, v.ok, v.key ?? codes(v)[0]])).toEqual([
      [1, true, 'A'],
      [2, false, 'source/json-syntax'],
      [3, true, 'C'],
      [4, false, 'source/json-syntax'],
      [5, true, 'E'],
    ]);
    expect(views[1]!.diagnostics[0]!.location).toMatchObject({ file: 'invoices.ndjson', line: 2 });
  });

  it('the CLI plans the good records of such a file and exits 1', async () => {
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, [
      JSON.stringify(invoice({ invoiceNumber: 'A' })),
      '{"invoiceNumber": "BROKEN", "lines": [',
      JSON.stringify(invoice({ invoiceNumber: 'C' })),
      '"just a string"',
      JSON.stringify(invoice({ invoiceNumber: 'E' })),
    ].join('\n') + '\n');
    const json = await runCli(['plan', MAP_FILE, '--input', file, '--json'], { now: clock });
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { records: RecordPlanView[]; summary: { records: number; valid: number; invalid: number } };
    expect(out.summary).toEqual({ records: 5, valid: 3, invalid: 2 });
    expect(out.records.map((r) => r.key ?? codes(r)[0])).toEqual(['A', 'source/json-syntax', 'C', 'record/not-object', 'E']);
    const text = await runCli(['plan', MAP_FILE, '--input', file], { now: clock });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('5 records: 3 valid, 2 invalid');
    expect(text.stdout).toContain('error source/json-syntax');
    expect(text.stdout + text.stderr).not.toContain('    at ');
  });

  it('a record error in the middle of a JSON array does not stop the array', async () => {
    const text = `[${JSON.stringify(invoice({ invoiceNumber: 'A' }))}, {"invoiceNumber": }, ${JSON.stringify(invoice({ invoiceNumber: 'C' }))}]`;
    const views = await collect(planRecords(map, readRecords([text]), { clock }));
    expect(views.map((v) => v.key ?? codes(v)[0])).toEqual(['A', 'source/json-syntax', 'C']);
  });
});
