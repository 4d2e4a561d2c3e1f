/**
 * Static checks run by `validate` (src/analysis/static-checks.ts): a path that cannot exist in
 * the input schema, a required provider field the request never produces, a constant outside
 * the provider's enum. Each fires with its code, severity and line:column on small inline maps,
 * and none fires on the shipped maps.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { checkDataMap, loadDataMap, type Diagnostic } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { parseAst } from '../../src/analysis/ast.js';
import { collectReadPaths } from '../../src/analysis/read-paths.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** 1-based line and column of the n-th occurrence of `needle` in `text`. */
function at(text: string, needle: string, nth = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`"${needle}" not found ${nth} times`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function check(text: string): { map?: unknown; diagnostics: Diagnostic[] } {
  return checkDataMap({ text, file: 'x.yaml' });
}

function only(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

function expectAt(d: Diagnostic | undefined, text: string, needle: string, nth = 1): void {
  expect(d, `a finding at "${needle}"`).toBeDefined();
  const want = at(text, needle, nth);
  expect({ file: d!.location?.file, line: d!.location?.line, column: d!.location?.column }).toEqual({ file: 'x.yaml', ...want });
}

/** A small valid Revolv3 sale map with a closed input schema. */
const SALE = `provider: revolv3
input:
  type: object
  additionalProperties: false
  properties:
    invoiceNumber: { type: string }
    customer:
      type: object
      properties:
        firstName: { type: string }
        lastName: { type: string }
    card:
      type: object
      additionalProperties: false
      properties: { number: { type: string }, exp: { type: string } }
    lines:
      type: array
      items: { type: object, additionalProperties: false, properties: { qty: { type: number }, price: { type: number } } }
key: invoiceNumber
let:
  total: $round($sum(lines.(qty * price)), 2)
steps:
  - id: sale
    operation: payments.sale
    request: |
      {
        "invoice": { "merchantInvoiceRefId": $key, "orderProcessingChannel": "Moto", "amount": { "value": $total } },
        "paymentMethod": {
          "billingFirstName": customer.firstName,
          "creditCard": { "paymentAccountNumber": card.number, "expirationDate": card.exp }
        }
      }
    output: '{ "id": invoiceId, "ref": $record.invoiceNumber }'
`;

function variant(from: string, to: string): string {
  expect(SALE, `the base map contains ${from}`).toContain(from);
  return SALE.replace(from, to);
}

describe('the base map', () => {
  it('has no findings', () => {
    const { map, diagnostics } = check(SALE);
    expect(diagnostics).toEqual([]);
    expect(map).toBeDefined();
  });
});

describe('check/unknown-input-field', () => {
  it('is an error for a name an object without additionalProperties cannot have, at the name, with a did-you-mean', () => {
    const text = variant('card.number', 'card.numbr');
    const { map, diagnostics } = check(text);
    const [d, ...rest] = only(diagnostics, 'check/unknown-input-field');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error' });
    expect(d!.message).toContain('card.numbr');
    expect(d!.hint).toContain('Did you mean card.number?');
    expectAt(d, text, 'numbr');
    // the map still compiles: explain and plan can show the consequence
    expect(map).toBeDefined();
  });

  it('checks top-level names (the key) against the root schema', () => {
    const text = variant('key: invoiceNumber', 'key: invoiceNumbr');
    const [d] = only(check(text).diagnostics, 'check/unknown-input-field');
    expect(d).toMatchObject({ severity: 'error' });
    expect(d!.hint).toContain('invoiceNumber');
    expectAt(d, text, 'invoiceNumbr');
  });

  it('follows relative paths inside a mapped step (lines.(qty * prce))', () => {
    const text = variant('qty * price', 'qty * prce');
    const [d] = only(check(text).diagnostics, 'check/unknown-input-field');
    expect(d).toMatchObject({ severity: 'error' });
    expect(d!.message).toContain('lines.prce');
    expect(d!.hint).toContain('lines.price');
    expectAt(d, text, 'prce');
  });

  it('follows $$ and $ context paths and filters', () => {
    const text = variant('"billingFirstName": customer.firstName', '"billingFirstName": $$.customer.firstName & $.card.nmber & $string(lines[qty > 1 and prise > 0].qty)');
    const ds = only(check(text).diagnostics, 'check/unknown-input-field');
    expect(ds.map((d) => d.message.split(' ')[0])).toEqual(['card.nmber', 'lines.prise']);
    expectAt(ds[0], text, 'nmber');
    expectAt(ds[1], text, 'prise');
  });

  it('checks $record paths in an output expression, but not the response fields it reads', () => {
    const text = variant('$record.invoiceNumber', '$record.invoiceNo');
    const ds = only(check(text).diagnostics, 'check/unknown-input-field');
    expect(ds).toHaveLength(1);
    expectAt(ds[0], text, 'invoiceNo');
  });

  it('is an error for a field read from a string', () => {
    const text = variant('"merchantInvoiceRefId": $key', '"merchantInvoiceRefId": invoiceNumber.id');
    const [d] = only(check(text).diagnostics, 'check/unknown-input-field');
    expect(d).toMatchObject({ severity: 'error' });
    expect(d!.message).toMatch(/invoiceNumber is a string/);
    const where = at(text, 'invoiceNumber.id');
    expect(d!.location).toMatchObject({ line: where.line, column: where.column + 'invoiceNumber.'.length });
  });

  it('is a warning for a likely typo in an object that allows other fields', () => {
    const text = variant('customer.firstName', 'customer.frstName');
    const [d, ...rest] = only(check(text).diagnostics, 'check/unknown-input-field');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'warning' });
    expect(d!.hint).toContain('Did you mean customer.firstName?');
    expectAt(d, text, 'frstName');
  });

  it('says nothing about an undeclared field of an open object that resembles no declared one', () => {
    const text = variant('customer.firstName', 'customer.nickname');
    expect(only(check(text).diagnostics, 'check/unknown-input-field')).toEqual([]);
  });

  it('is only a warning inside a lambda body', () => {
    const text = variant('$round($sum(lines.(qty * price)), 2)', '$sum($map(lines, function($l){ $l.qty * price }))');
    const [d] = only(check(text).diagnostics, 'check/unknown-input-field');
    // `price` inside the lambda is read from the context the lambda was defined in: the record
    expect(d).toMatchObject({ severity: 'warning' });
    expectAt(d, text, 'price }');
  });

  it('does nothing without an input schema', () => {
    const text = SALE.replace(/^input:\n(?: {2}.*\n)+/m, '').replace('card.number', 'card.numbr');
    const { diagnostics } = check(text);
    expect(only(diagnostics, 'check/unknown-input-field')).toEqual([]);
  });
});

describe('check/missing-required-field', () => {
  it('is an error when an object written out in full lacks a required key, at its opening brace', () => {
    const text = variant(', "amount": { "value": $total }', '');
    const [d, ...rest] = only(check(text).diagnostics, 'check/missing-required-field');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', data: { step: 'sale', path: 'invoice.amount' } });
    expect(d!.message).toContain('invoice.amount');
    expectAt(d, text, '{ "merchantInvoiceRefId"');
  });

  it('checks the top level and nested required objects (creditCard.expirationDate)', () => {
    const text = variant(', "expirationDate": card.exp', '');
    const [d] = only(check(text).diagnostics, 'check/missing-required-field');
    expect(d).toMatchObject({ severity: 'error', data: { path: 'paymentMethod.creditCard.expirationDate' } });
    expectAt(d, text, '{ "paymentAccountNumber"');
  });

  it('is a warning when the object is one branch of a condition', () => {
    const text = variant('"invoice": { "merchantInvoiceRefId": $key, "orderProcessingChannel": "Moto", "amount": { "value": $total } }',
      '"invoice": $total > 0 ? { "merchantInvoiceRefId": $key, "amount": { "value": $total } } : { "merchantInvoiceRefId": $key }');
    const [d, ...rest] = only(check(text).diagnostics, 'check/missing-required-field');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'warning', data: { path: 'invoice.amount' } });
    expectAt(d, text, '{ "merchantInvoiceRefId"', 2);
  });

  it('is a warning for a $merge of written objects, an error for none of them when everything is written', () => {
    const text = variant('"invoice": { "merchantInvoiceRefId": $key, "orderProcessingChannel": "Moto", "amount": { "value": $total } }',
      '"invoice": $merge([{ "merchantInvoiceRefId": $key }, { "orderProcessingChannel": "Moto" }])');
    const [d] = only(check(text).diagnostics, 'check/missing-required-field');
    expect(d).toMatchObject({ severity: 'warning', data: { path: 'invoice.amount' } });
    const ok = variant('"invoice": { "merchantInvoiceRefId": $key, "orderProcessingChannel": "Moto", "amount": { "value": $total } }',
      '"invoice": $merge([{ "merchantInvoiceRefId": $key }, { "amount": { "value": $total } }])');
    expect(only(check(ok).diagnostics, 'check/missing-required-field')).toEqual([]);
  });

  it('is a warning when the object has a computed key', () => {
    const text = variant('"amount": { "value": $total }', '("am" & "ount"): { "value": $total }');
    const [d] = only(check(text).diagnostics, 'check/missing-required-field');
    expect(d).toMatchObject({ severity: 'warning', data: { path: 'invoice.amount' } });
  });

  it('says nothing when the request is not an object constructor', () => {
    const text = variant('"invoice": { "merchantInvoiceRefId"', '"invoice": $lookup({ "a": 1 }, "a") ? { "merchantInvoiceRefId"');
    expect(only(check(text).diagnostics, 'check/missing-required-field')).toEqual([]);
  });

  it('follows a let and array items, pointing into the let', () => {
    const text = `provider: revolv3
key: id
let:
  lines: |
    [items.{ "name": title, "value": price }]
steps:
  - id: pay
    operation: invoices.payment
    request: |
      { "email": email, "invoice": { "merchantInvoiceRefId": $key, "invoiceLineItems": $lines },
        "paymentMethod": { "creditCard": { "paymentAccountNumber": pan, "expirationDate": exp } } }
`;
    const [d, ...rest] = only(check(text).diagnostics, 'check/missing-required-field');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', data: { path: 'invoice.invoiceLineItems[].valueType' } });
    expectAt(d, text, '{ "name"');
  });
});

describe('check/enum-mismatch', () => {
  it('is an error for a literal outside the enum, at the literal, with a did-you-mean', () => {
    const text = variant('"Moto"', '"moto"');
    const [d, ...rest] = only(check(text).diagnostics, 'check/enum-mismatch');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', data: { path: 'invoice.orderProcessingChannel', value: 'moto' } });
    expect(d!.message).toContain('"Ecommerce", "Moto"');
    expect(d!.hint).toContain('Did you mean "Moto"?');
    expectAt(d, text, '"moto"');
  });

  it('checks const values (currency "usd")', () => {
    const text = variant('"amount": { "value"', '"amount": { "currency": "usd", "value"');
    const [d] = only(check(text).diagnostics, 'check/enum-mismatch');
    expect(d).toMatchObject({ severity: 'error', data: { path: 'invoice.amount.currency' } });
    expect(d!.hint).toContain('"USD"');
    expectAt(d, text, '"usd"');
  });

  it('finds a valueType of "standard" in line items built by a let, with "Standard" as the suggestion', () => {
    const text = `provider: revolv3
key: id
let:
  lines: |
    [
      items.{ "name": title, "value": price, "valueType": "standard" },
      discount > 0 ? { "name": "Discount", "value": discount, "valueType": "Discont" }
    ]
steps:
  - id: pay
    operation: invoices.payment
    request: |
      { "email": email, "invoice": { "merchantInvoiceRefId": $key, "invoiceLineItems": $lines },
        "paymentMethod": { "paymentMethodTypes": ["CreditCard"], "creditCard": { "paymentAccountNumber": pan, "expirationDate": exp } } }
`;
    const ds = only(check(text).diagnostics, 'check/enum-mismatch');
    expect(ds).toHaveLength(2);
    expect(ds[0]).toMatchObject({ severity: 'error', data: { path: 'invoice.invoiceLineItems[].valueType', value: 'standard' } });
    expect(ds[0]!.hint).toContain('Did you mean "Standard"?');
    expectAt(ds[0], text, '"standard"');
    // one branch of a condition: it may never be produced
    expect(ds[1]).toMatchObject({ severity: 'warning', data: { value: 'Discont' } });
    expect(ds[1]!.hint).toContain('"Discount"');
    expectAt(ds[1], text, '"Discont"');
  });

  it('checks literals in array constructors against the items enum', () => {
    const text = variant('"billingFirstName": customer.firstName,', '"billingFirstName": customer.firstName, "paymentMethodTypes": ["Card"],');
    const [d] = only(check(text).diagnostics, 'check/enum-mismatch');
    expect(d).toMatchObject({ severity: 'error', data: { path: 'paymentMethod.paymentMethodTypes[]' } });
    expectAt(d, text, '"Card"');
  });

  it('accepts every allowed constant', () => {
    const text = variant('"Moto"', '"Ecommerce"');
    expect(check(text).diagnostics).toEqual([]);
  });
});

describe('shipped maps', () => {
  const files = readdirSync(join(root, 'mappings')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).map((f) => join(root, 'mappings', f));

  it.each(files)('%s has no static findings', (file) => {
    const { map, diagnostics } = checkDataMap({ file });
    expect(map).toBeDefined();
    expect(diagnostics.filter((d) => d.code.startsWith('check/'))).toEqual([]);
    expect(diagnostics).toEqual([]);
  });
});

describe('validate', () => {
  it('exits 2 on a static error, 0 with only static warnings, and prints the location', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datamap-static-'));
    try {
      const bad = join(dir, 'bad.yaml');
      const warn = join(dir, 'warn.yaml');
      writeFileSync(bad, variant('"Moto"', '"moto"'));
      writeFileSync(warn, variant('customer.firstName', 'customer.frstName'));
      const run = async (argv: string[]) => {
        let stdout = '';
        const code = await main(argv, { stdout: (t) => { stdout += t; }, stderr: () => {}, stdin: Readable.from([]), env: {}, now: () => 0 });
        return { code, stdout };
      };
      const b = await run(['validate', bad]);
      expect(b.code).toBe(2);
      const where = at(variant('"Moto"', '"moto"'), '"moto"');
      expect(b.stdout).toContain(`error check/enum-mismatch`);
      expect(b.stdout).toContain(`${bad}:${where.line}:${where.column}`);
      const w = await run(['validate', warn]);
      expect(w.code).toBe(0);
      expect(w.stdout).toContain('warning check/unknown-input-field');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('read paths (the analysis behind the checks and explain)', () => {
  const reads = (src: string, input: 'record' | 'other' = 'record') =>
    collectReadPaths(parseAst(src)!, src, { input }).map((r) => `${r.segments.join('.') || '$'}${r.whole ? '' : '~'}`);

  it('resolves relative paths in mapped steps and predicates', () => {
    expect(reads('$round($sum(lines.(qty * unitPrice)), 2)')).toEqual(['lines~', 'lines.qty', 'lines.unitPrice']);
    expect(reads('line_items[quantity > 1].title')).toEqual(['line_items.quantity', 'line_items.title']);
  });

  it('handles $, $$ and $record, and ignores names read from computed values', () => {
    expect(reads('$.a & $$.b & $record.c')).toEqual(['a', 'b', 'c']);
    expect(reads('$string($)')).toEqual(['$']);
    expect(reads('$orderLines.$round(quantity * price, 2)')).toEqual([]);
    expect(reads('[first, last][$ != null]')).toEqual(['first', 'last']);
  });

  it('reads nothing of the record from an output expression except $record', () => {
    expect(reads('{ "id": invoiceId, "k": $record.key, "n": $$.x }', 'other')).toEqual(['key']);
  });

  it('counts a context-defaulting function call as a whole read', () => {
    expect(reads('payment.card.number.$string()')).toContain('payment.card.number');
    expect(reads('$sum(lines.$round(qty, 2))')).toEqual(['lines~', 'lines.qty']);
  });
});

describe('check/unknown-request-key', () => {
  it('is an error where the schema allows no other keys, at the key, with a did-you-mean', () => {
    const text = variant('"orderProcessingChannel"', '"orderProcesingChannel"');
    const ds = only(check(text).diagnostics, 'check/unknown-request-key');
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ severity: 'error', data: { path: 'invoice.orderProcesingChannel', key: 'orderProcesingChannel' } });
    expect(ds[0]!.hint).toContain('Did you mean "orderProcessingChannel"?');
    expectAt(ds[0], text, '"orderProcesingChannel"');
    // certain: loading the map refuses it, as validate does
    expect(() => loadDataMap({ text, file: 'x.yaml' })).toThrow(/orderProcesingChannel/);
  });

  it('follows the schema: a warning where the object allows other keys (Invoiss payments.process order), an error where it does not', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schemas/invoiss/payments.process.request.json'), 'utf8')) as { properties: { order: { additionalProperties?: unknown } } };
    const text = `provider: invoiss
key: id
steps:
  - id: pay
    operation: payments.process
    request: |
      { "method": "CARD", "type": "INVOICE", "order": { "id": orderId, "grandTotl": total }, "orderId": orderId, "amount": total }
`;
    const ds = only(check(text).diagnostics, 'check/unknown-request-key');
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ severity: schema.properties.order.additionalProperties === false ? 'error' : 'warning', data: { path: 'order.grandTotl' } });
    expect(ds[0]!.hint).toContain('Did you mean "grandTotal"?');
    expectAt(ds[0], text, '"grandTotl"');
  });

  it('says nothing about keys of a free-form object (metadata) or a computed key', () => {
    const text = `provider: invoiss
key: id
steps:
  - id: client
    operation: clients.create
    request: '{ "name": name, "metadata": { "anything": 1 }, name: 2 }'
`;
    expect(only(check(text).diagnostics, 'check/unknown-request-key')).toEqual([]);
  });
});

describe('check/type-mismatch', () => {
  it('flags a quoted number where the schema wants a number ("value": "12.50"), at the literal', () => {
    const text = variant('"value": $total', '"value": "12.50"');
    const ds = only(check(text).diagnostics, 'check/type-mismatch');
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ severity: 'error', data: { path: 'invoice.amount.value', type: 'string' } });
    expect(ds[0]!.message).toContain('wants a number');
    expect(ds[0]!.hint).toContain('Drop the quotes: write 12.50');
    expectAt(ds[0], text, '"12.50"');
  });

  it('flags a number where a string is wanted, and an object where a string is wanted', () => {
    const text = variant('"merchantInvoiceRefId": $key', '"merchantInvoiceRefId": 1001').replace('"billingFirstName": customer.firstName', '"billingFirstName": { "n": 1 }');
    const ds = only(check(text).diagnostics, 'check/type-mismatch');
    expect(ds.map((d) => d.data?.path)).toEqual(['invoice.merchantInvoiceRefId', 'paymentMethod.billingFirstName']);
    expect(ds[0]!.hint).toContain('Quote it: write "1001"');
    expectAt(ds[0], text, '1001');
  });

  it('is a warning inside one branch of a condition, and accepts null where the schema allows it', () => {
    const text = variant('"value": $total', '"value": $total > 0 ? $total : "0"').replace('"orderProcessingChannel": "Moto"', '"orderProcessingChannel": null');
    const ds = only(check(text).diagnostics, 'check/type-mismatch');
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ severity: 'warning', data: { path: 'invoice.amount.value' } });
  });

  it('accepts constants of the right type (whole numbers for integers, numbers for numbers)', () => {
    const text = variant('"value": $total', '"value": 12.5').replace('"billingFirstName": customer.firstName', '"billingFirstName": "Ada"');
    expect(only(check(text).diagnostics, 'check/type-mismatch')).toEqual([]);
  });
});

describe('misspelled top-level key', () => {
  it('gives one error with a did-you-mean at the key, not a cascade', () => {
    const text = SALE.replace('steps:', 'stpes:');
    const { diagnostics } = check(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'datamap/unknown-key', severity: 'error', message: 'Unknown key "stpes": did you mean "steps"?' });
    expectAt(diagnostics[0], text, 'stpes:');
  });

  it('keeps the schema\'s finding for an unknown key that resembles nothing', () => {
    const { diagnostics } = check(SALE + 'colour: red\n');
    expect(diagnostics.map((d) => d.code)).toEqual(['datamap/schema']);
    expect(diagnostics[0]!.message).toContain('unknown property "colour"');
  });
});

describe('YAML syntax errors: once, in plain words, at the line to fix', () => {
  const cases: Array<[string, string, { line: number; column: number }, RegExp, RegExp]> = [
    ['a key indented under one that has a value', 'provider: revolv3\nkey: id\nsteps:\n  - id: sale\n    operation: payments.sale\n      request: "{}"\n', { line: 6, column: 7 }, /Line 6 is indented further than "operation" on line 5/, /Line up "request" with "operation" \(column 5\)/],
    ['a key indented less than its siblings', 'provider: revolv3\nkey: id\nsteps:\n  - id: sale\n    operation: payments.sale\n   request: "{}"\n', { line: 6, column: 4 }, /Line 6 is indented by 3 spaces/, /Indent "request" by 4 spaces to line it up with "operation" on line 5/],
    ['a tab', 'provider: revolv3\nkey: id\nsteps:\n\t- id: sale\n', { line: 4, column: 1 }, /indented with a tab/, /spaces/],
    ['a missing colon', 'provider: revolv3\nkey id\nsteps:\n  - id: a\n', { line: 2, column: 1 }, /Line 2 has no colon/, /"key: id"/],
    ['a dash without a space', 'provider: revolv3\nkey: id\nsteps:\n  -id: sale\n  - id: b\n', { line: 4, column: 3 }, /"-id" is not a list item/, /Write "- id: sale"/],
    ['a block scalar not indented', 'provider: revolv3\nkey: id\nsteps:\n  - id: s\n    operation: payments.sale\n    request: |\n    { "a": 1 }\n', { line: 7, column: 5 }, /should be part of the text block that "request: \|" on line 6 starts/, /Indent every line of the block/],
    ['an unquoted value holding ": "', 'provider: revolv3\nkey: a: b\nsteps: []\n', { line: 2, column: 6 }, /contains ": "/, /Quote the value: key: 'a: b'/],
    ['an unclosed brace', 'provider: { name: revolv3\nkey: id\n', { line: 1, column: 11 }, /The "\{" on line 1 is never closed/, /Close it with "\}"/],
    ['an unclosed quote', 'provider: revolv3\nkey: "abc\nsteps: []\n', { line: 2, column: 6 }, /The quote opened on line 2 is never closed/, /Close the quote/],
  ];
  for (const [name, text, where, message, hint] of cases) {
    it(name, () => {
      const { diagnostics } = checkDataMap({ text, file: 'x.yaml' });
      expect(diagnostics.map((d) => d.code)).toEqual(['source/yaml-syntax']);
      const d = diagnostics[0]!;
      expect({ line: d.location?.line, column: d.location?.column }).toEqual(where);
      expect(d.message).toMatch(message);
      expect(d.hint).toMatch(hint);
      expect(d.message).not.toMatch(/implicit|compact|indicator/i);
    });
  }
});
