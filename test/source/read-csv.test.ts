/**
 * CSV input through the public API: `readCsvRecords` yields the same items as `readRecords`
 * (index, line, value | error), streams, and types cells by the Data Map's `input` schema.
 */
import { describe, expect, it } from 'vitest';
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatamapError, loadDataMap, planRecords, readCsvRecords, type RecordItem } from '../../src/index.js';
import { collect } from '../helpers/cli.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

const read = (text: string | string[], schema?: Record<string, unknown>): Promise<RecordItem[]> =>
  collect(readCsvRecords(Array.isArray(text) ? text : [text], schema ? { source: 'in.csv', schema } : { source: 'in.csv' }));
const values = (items: RecordItem[]): unknown[] => items.map((i) => i.value);

const SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    amount: { type: 'number' },
    qty: { type: 'integer' },
    paid: { type: 'boolean' },
    zip: { type: 'string' },
    note: { type: ['string', 'null'] },
    level: { enum: [1, 2, 3] },
    customer: { type: 'object', properties: { email: { type: 'string' }, age: { type: 'integer' }, address: { $ref: '#/$defs/address' } } },
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'number' } } } },
  },
  $defs: { address: { type: 'object', properties: { zip: { type: 'string' }, floor: { type: 'integer' } } } },
};

describe('readCsvRecords', () => {
  it('bytes are decoded strictly: a row that is not UTF-8 is record/invalid-utf8 at its line, the others are read, a quoted field spanning lines included', async () => {
    const good = Buffer.from('id,note\nA-1,caf\u00e9\n');
    const latin1 = Buffer.from([0x41, 0x2d, 0x32, 0x2c, 0x63, 0x61, 0x66, 0xe9, 0x0a]); // A-2,caf\xe9 (Latin-1)
    const spanning = Buffer.concat([Buffer.from('A-3,"two\nline'), Buffer.from([0xff]), Buffer.from('s"\nA-4,ok\n')]);
    // split inside a two-byte character: still valid
    const whole = Buffer.concat([good, latin1, spanning]);
    const cut = whole.indexOf(0xc3) + 1;
    const items = await collect(readCsvRecords([whole.subarray(0, cut), whole.subarray(cut)], { source: 'in.csv' }));
    expect(items.map((i) => [i.line, i.value ?? i.error?.code])).toEqual([
      [2, { id: 'A-1', note: 'caf\u00e9' }],
      [3, 'record/invalid-utf8'],
      [4, 'record/invalid-utf8'],
      [6, { id: 'A-4', note: 'ok' }],
    ]);
    expect(JSON.stringify(items)).not.toContain('\ufffd');
  });

  it('a header that is not UTF-8 makes the input unusable (source/csv-header)', async () => {
    const bytes = Buffer.concat([Buffer.from('id,'), Buffer.from([0xe9]), Buffer.from('\nA-1,x\n')]);
    await expect(collect(readCsvRecords([bytes], { source: 'in.csv' }))).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ code: 'source/csv-header' })] });
  });

  it('header row names the fields; every cell is a string without a schema', async () => {
    const items = await read('id,amount,paid\nA-1,12.50,true\nA-2,3,false\n');
    expect(items).toEqual([
      { index: 0, line: 2, value: { id: 'A-1', amount: '12.50', paid: 'true' } },
      { index: 1, line: 3, value: { id: 'A-2', amount: '3', paid: 'false' } },
    ]);
  });

  it('types cells by the schema: number, integer, boolean, enum of numbers; strings stay strings', async () => {
    const items = await read('id,amount,qty,paid,zip,level\n007,12.50,3,TRUE,04101,2\n008,-1e2,+4,false,02134,3\n', SCHEMA);
    expect(values(items)).toEqual([
      { id: '007', amount: 12.5, qty: 3, paid: true, zip: '04101', level: 2 },
      { id: '008', amount: -100, qty: 4, paid: false, zip: '02134', level: 3 },
    ]);
  });

  it('a cell that does not fit its declared type stays text, so the input schema names it', async () => {
    const items = await read('id,amount,paid\nA,12,00,yes\n'.replace('12,00', '"12,00"'), SCHEMA);
    expect(values(items)).toEqual([{ id: 'A', amount: '12,00', paid: 'yes' }]);
    const map = loadDataMap({ file: join(root, 'mappings/quickbooks-csv-to-revolv3.yaml') });
    const text = 'invoiceNumber,status,total,customer.id,customer.firstName,customer.lastName,customer.address.street,customer.address.city,customer.address.state,customer.address.zip,customer.address.country,card.number,card.expMonth,card.expYear,lines.0.description,lines.0.qty,lines.0.unitPrice\n'
      + 'Q-1,open,ten,C-1,A,B,1 Main St,X,CA,90001,US,4111111111111111,10,2030,Work,1,10\n';
    const plans = await collect(planRecords(map, readCsvRecords([text], { source: 'q.csv', schema: map.spec.input })));
    expect(plans).toHaveLength(1);
    expect(plans[0]!.ok).toBe(false);
    expect(plans[0]!.diagnostics[0]).toMatchObject({ code: 'record/invalid' });
    expect(JSON.stringify(plans[0]!.diagnostics)).toMatch(/total/);
  });

  it('empty cells leave the field out, unless the schema declares a string', async () => {
    const items = await read('id,amount,note,paid,zip,customer.email\n,,,,,\nX,1,,,,\n', SCHEMA);
    expect(values(items)).toEqual([
      { id: '', note: '', zip: '', customer: { email: '' } },
      { id: 'X', amount: 1, note: '', zip: '', customer: { email: '' } },
    ]);
    // without a schema nothing is declared a string, so every empty cell is absent
    expect(values(await read('a,b\n,x\n'))).toEqual([{ b: 'x' }]);
  });

  it('dotted headers make nested objects, typed through properties and $ref', async () => {
    const items = await read('id,customer.email,customer.age,customer.address.zip,customer.address.floor\nA,a@x.io,41,04101,3\n', SCHEMA);
    expect(values(items)).toEqual([{ id: 'A', customer: { email: 'a@x.io', age: 41, address: { zip: '04101', floor: 3 } } }]);
  });

  it('numbered headers make array items where the schema says array; items with every cell empty are left out', async () => {
    const items = await read('id,lines.0.sku,lines.0.qty,lines.1.sku,lines.1.qty,lines.2.sku,lines.2.qty\nA,S1,2,,,S3,1.5\nB,S1,1,,,,\nC,,4,,,,\n', SCHEMA);
    expect(values(items)).toEqual([
      { id: 'A', lines: [{ sku: 'S1', qty: 2 }, { sku: 'S3', qty: 1.5 }] },
      { id: 'B', lines: [{ sku: 'S1', qty: 1 }] },
      // a string cell of an item that is there is an empty string, as elsewhere
      { id: 'C', lines: [{ sku: '', qty: 4 }] },
    ]);
    // without a schema saying array, a number is just a key
    expect(values(await read('lines.0.sku\nS1\n'))).toEqual([{ lines: { 0: { sku: 'S1' } } }]);
  });

  it('quotes: delimiters, doubled quotes and embedded newlines (LF and CRLF) inside a field; lines stay right', async () => {
    const text = 'id,note\r\nA,"one, two"\r\nB,"say ""hi"""\r\nC,"first\nsecond\r\nthird"\r\nD,plain\r\n';
    const items = await read(text);
    expect(items.map((i) => [i.line, i.value])).toEqual([
      [2, { id: 'A', note: 'one, two' }],
      [3, { id: 'B', note: 'say "hi"' }],
      [4, { id: 'C', note: 'first\nsecond\r\nthird' }],
      [7, { id: 'D', note: 'plain' }],
    ]);
  });

  it('a UTF-8 byte-order mark is dropped (string and Buffer input), and multi-byte characters split across chunks survive', async () => {
    expect(values(await read('\uFEFFid,name\nA,Zoë\n'))).toEqual([{ id: 'A', name: 'Zoë' }]);
    const bytes = Buffer.from('\uFEFFid,name\nA,Zoë\n', 'utf8');
    const split = bytes.indexOf(Buffer.from('ë')) + 1; // inside the two bytes of ë
    const items = await collect(readCsvRecords([bytes.subarray(0, 2), bytes.subarray(2, split), bytes.subarray(split)]));
    expect(values(items)).toEqual([{ id: 'A', name: 'Zoë' }]);
  });

  it('a ragged row is one record/csv-ragged error with its line; every other row is still read', async () => {
    const items = await read('id,amount\nA,1\nB,2,extra\nC\n"D\nE",4\nF,5\n', SCHEMA);
    expect(items.map((i) => i.index)).toEqual([0, 1, 2, 3, 4]);
    expect(items[0]).toEqual({ index: 0, line: 2, value: { id: 'A', amount: 1 } });
    expect(items[1]!.error).toMatchObject({ code: 'record/csv-ragged', message: 'Row at line 3 has 3 fields but the header has 2', location: { file: 'in.csv', line: 3, column: 1 } });
    expect(items[2]!.error).toMatchObject({ code: 'record/csv-ragged', location: { line: 4 } });
    expect(items[3]).toEqual({ index: 3, line: 5, value: { id: 'D\nE', amount: 4 } });
    expect(items[4]).toEqual({ index: 4, line: 7, value: { id: 'F', amount: 5 } });
  });

  it('a quote inside a field that does not start with one is kept as text, not an error', async () => {
    const items = await read('id,note\nA,ok\nB,5 "inch" pipe\nC,"bad"x\nD,fine\n');
    expect(values(items)).toEqual([{ id: 'A', note: 'ok' }, { id: 'B', note: '5 "inch" pipe' }, { id: 'C', note: '"bad"x' }, { id: 'D', note: 'fine' }]);
  });

  it('a quote never closed ends the input with one error at its line', async () => {
    const items = await read('id,note\nA,ok\nB,"never closed\nC,lost\n');
    expect(items[0]!.value).toEqual({ id: 'A', note: 'ok' });
    expect(items.at(-1)!.error).toMatchObject({ code: 'source/csv-syntax' });
    expect(items.at(-1)!.error!.message).toMatch(/quote/i);
  });

  it('blank lines are skipped; a header alone gives no records; an empty input none', async () => {
    expect(values(await read('id\n\nA\n\n\nB'))).toEqual([{ id: 'A' }, { id: 'B' }]);
    expect(await read('id,amount\n')).toEqual([]);
    expect(await read('')).toEqual([]);
  });

  it.each([
    ['id,,amount', /Column 2 of the header has no name/],
    ['id,amount,id', /"id" appears twice/],
    ['customer,customer.email', /"customer" is a value, but "customer.email" makes it an object/],
    ['id,customer..email', /empty part/],
    ['id,__proto__.polluted', /forbidden name "__proto__"/],
    ['constructor', /forbidden name "constructor"/],
  ])('an unusable header (%s) throws source/csv-header: the input cannot be used', async (header, message) => {
    const err = await read(`${header}\nx,y,z\n`).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DatamapError);
    expect((err as DatamapError).diagnostics[0]).toMatchObject({ code: 'source/csv-header', location: { file: 'in.csv', line: 1 } });
    expect((err as DatamapError).message).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('streams: a record is yielded before the rest of the input is read', async () => {
    let pulled = 0;
    async function* chunks(): AsyncGenerator<string> {
      yield 'id,n\n';
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield `R${i},${i}\n`;
      }
    }
    const it = readCsvRecords(chunks());
    const first = await it.next();
    expect(first.value).toEqual({ index: 0, line: 2, value: { id: 'R0', n: '0' } });
    expect(pulled).toBeLessThan(5);
    await it.return(undefined);
  });

  it('reads the shipped QuickBooks export and plans every row valid with the shipped map', async () => {
    const file = join(root, 'examples/quickbooks-csv/invoices.csv');
    const map = loadDataMap({ file: join(root, 'mappings/quickbooks-csv-to-revolv3.yaml') });
    const items = await collect(readCsvRecords(createReadStream(file), { source: file, schema: map.spec.input }));
    expect(items.map((i) => i.line)).toEqual([2, 3, 5, 6]);
    const first = items[0]!.value as Record<string, unknown>;
    expect(first).toMatchObject({
      invoiceNumber: 'QB-2001',
      memo: 'Quarterly service, "Plan B"',
      total: 229.5,
      customer: { address: { street: '12 Harbor Rd, Unit 3', zip: '04101' } },
      card: { expMonth: 9, expYear: 2029 },
      lines: [{ description: 'Boiler service', qty: 1, unitPrice: 189.5 }, { description: 'Gasket, 2-pack', qty: 2, unitPrice: 20 }],
    });
    expect((items[1]!.value as { memo: string }).memo).toBe('Left at the front desk.\nCall before the next visit.');
    expect((items[1]!.value as { lines: unknown[] }).lines).toHaveLength(1);
    expect(items[3]!.value).not.toHaveProperty('customer.email');
    const plans = await collect(planRecords(map, items));
    expect(plans.map((p) => [p.key, p.ok, p.steps[0]!.decision])).toEqual([
      ['QB-2001', true, 'run'],
      ['QB-2002', true, 'run'],
      ['QB-2003', true, 'skip'],
      ['QB-2004', true, 'run'],
    ]);
  });
});
