/**
 * Unit tests for readRecords: JSON object, JSON array, NDJSON and concatenated JSON, read as a
 * stream. Every case is also fed one character per chunk, split at every position and in
 * random-sized chunks: the result must not depend on where chunks end.
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readRecords, type ReadRecordsOptions, type RecordItem } from '../../src/index.js';

/** What a test compares: the value, or the error code, with index and line. */
type Seen = { index: number; line: number; value?: unknown; error?: string };

async function read(chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>, options?: ReadRecordsOptions): Promise<Seen[]> {
  const out: Seen[] = [];
  for await (const it of readRecords(chunks as AsyncIterable<string | Buffer>, options)) out.push(simplify(it));
  return out;
}

function simplify(it: RecordItem): Seen {
  return it.error ? { index: it.index, line: it.line, error: it.error.code } : { index: it.index, line: it.line, value: it.value };
}

function values(seen: Seen[]): unknown[] {
  return seen.map((s) => (s.error ? `!${s.error}` : s.value));
}

/** A deterministic pseudo-random chunking. */
function randomChunks(text: string, seed: number): string[] {
  let x = seed;
  const next = () => { x = (x * 1103515245 + 12345) % 2147483648; return x; };
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const n = 1 + (next() % 7);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Reads `text` whole, one character per chunk, split at every position and randomly; all must agree. */
async function readEveryWay(text: string, options?: ReadRecordsOptions): Promise<Seen[]> {
  const whole = await read([text], options);
  expect(await read([...text], options), 'one character per chunk').toEqual(whole);
  if (text.length <= 400) {
    for (let i = 1; i < text.length; i++) {
      expect(await read([text.slice(0, i), text.slice(i)], options), `split at ${i}`).toEqual(whole);
    }
  }
  for (const seed of [1, 2, 3]) expect(await read(randomChunks(text, seed), options), `random chunks ${seed}`).toEqual(whole);
  // as Buffers too, one byte at a time (multi-byte characters split across chunks)
  const bytes = Buffer.from(text, 'utf8');
  expect(await read([...bytes].map((b) => Buffer.from([b])), options), 'one byte per Buffer').toEqual(whole);
  return whole;
}

describe('formats', () => {
  it('a single JSON object', async () => {
    expect(await readEveryWay('{"a":1,"b":{"c":[1,2]}}')).toEqual([{ index: 0, line: 1, value: { a: 1, b: { c: [1, 2] } } }]);
  });

  it('a pretty-printed single object, with a trailing newline', async () => {
    expect(await readEveryWay('{\n  "a": 1,\n  "b": [\n    {"c": 2}\n  ]\n}\n')).toEqual([{ index: 0, line: 1, value: { a: 1, b: [{ c: 2 }] } }]);
  });

  it('a JSON array of objects', async () => {
    expect(values(await readEveryWay('[{"a":1},{"b":2},{"c":3}]'))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('a pretty-printed JSON array: each record has the line it starts on', async () => {
    const seen = await readEveryWay('[\n  {\n    "a": 1\n  },\n  {"b": 2},\n\n  {"c": [\n 3\n]}\n]\n');
    expect(seen).toEqual([
      { index: 0, line: 2, value: { a: 1 } },
      { index: 1, line: 5, value: { b: 2 } },
      { index: 2, line: 7, value: { c: [3] } },
    ]);
  });

  it('an empty array, an empty input and whitespace give no records', async () => {
    expect(await readEveryWay('[]')).toEqual([]);
    expect(await readEveryWay('[ \n ]\n')).toEqual([]);
    expect(await read([''])).toEqual([]);
    expect(await read([])).toEqual([]);
    expect(await readEveryWay('  \n\t\n ')).toEqual([]);
  });

  it('NDJSON', async () => {
    expect(await readEveryWay('{"a":1}\n{"b":2}\n\n{"c":3}\n')).toEqual([
      { index: 0, line: 1, value: { a: 1 } },
      { index: 1, line: 2, value: { b: 2 } },
      { index: 2, line: 4, value: { c: 3 } },
    ]);
  });

  it('NDJSON with CRLF line ends and without a final newline', async () => {
    expect(await readEveryWay('{"a":1}\r\n{"b":2}\r\n{"c":3}')).toEqual([
      { index: 0, line: 1, value: { a: 1 } },
      { index: 1, line: 2, value: { b: 2 } },
      { index: 2, line: 3, value: { c: 3 } },
    ]);
  });

  it('concatenated JSON, with and without whitespace between values', async () => {
    expect(values(await readEveryWay('{"a":1}{"b":2} {"c":3}\t{"d":4}'))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, { d: 4 }]);
  });

  it('pretty-printed concatenated JSON (as jq prints it)', async () => {
    const text = '{}\n{\n  "a": 1,\n  "lines": [\n    {\n      "q": 1\n    }\n  ]\n}\n{\n  "b": 2\n}\n';
    expect(await readEveryWay(text)).toEqual([
      { index: 0, line: 1, value: {} },
      { index: 1, line: 2, value: { a: 1, lines: [{ q: 1 }] } },
      { index: 2, line: 10, value: { b: 2 } },
    ]);
  });

  it('a byte-order mark before the data is ignored', async () => {
    expect(values(await read(['\uFEFF{"a":1}\n{"b":2}']))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('top-level values that are not objects are records too (the plan rejects them)', async () => {
    expect(values(await readEveryWay('1 "two" null true [3] -4.5e1\n{"x":1}'))).toEqual([1, 'two', null, true, [3], -45, { x: 1 }]);
    expect(values(await readEveryWay('[1, "two", null, [3], {"x": 1}]'))).toEqual([1, 'two', null, [3], { x: 1 }]);
  });
});

describe('strings', () => {
  it('brackets, braces and commas inside strings do not end records', async () => {
    const rec = { s: '}]{[,', t: '[{"not":"json"}]', u: ',,,' };
    const text = `[${JSON.stringify(rec)}, ${JSON.stringify({ v: ']' })}]`;
    expect(values(await readEveryWay(text))).toEqual([rec, { v: ']' }]);
  });

  it('escaped quotes and backslashes', async () => {
    const recs = [{ q: 'say "hi" }' }, { b: 'ends with a backslash \\' }, { bq: '\\"}{' }, { e: '\\\\' }];
    const text = recs.map((r) => JSON.stringify(r)).join('\n');
    expect(values(await readEveryWay(text))).toEqual(recs);
  });

  it('unicode escapes and multi-byte characters (also split across Buffer chunks)', async () => {
    const recs = [{ name: 'Zoë 🎉', esc: '\u00e9\u2028' }, { jp: '東京' }];
    const text = recs.map((r) => JSON.stringify(r)).join('\n');
    expect(values(await readEveryWay(text))).toEqual(recs);
  });

  it('keys with brackets', async () => {
    expect(values(await readEveryWay('{"a[0]":{"}":"{"}}'))).toEqual([{ 'a[0]': { '}': '{' } }]);
  });
});

describe('errors', () => {
  it('an unterminated array yields its complete records, then a json-syntax error', async () => {
    expect(values(await readEveryWay('[{"a":1},{"b":2}'))).toEqual([{ a: 1 }, { b: 2 }, '!source/json-syntax']);
    expect(values(await readEveryWay('[{"a":1},{"b":'))).toEqual([{ a: 1 }, '!source/json-syntax', '!source/json-syntax']);
    expect(values(await readEveryWay('['))).toEqual(['!source/json-syntax']);
  });

  it('content after the closing bracket is an error', async () => {
    const seen = await readEveryWay('[{"a":1}]\n{"b":2}');
    expect(values(seen)).toEqual([{ a: 1 }, '!source/json-syntax']);
    expect(seen[1]!.line).toBe(2);
  });

  it('an unterminated object at the end', async () => {
    expect(values(await readEveryWay('{"a":1}\n{"b":'))).toEqual([{ a: 1 }, '!source/json-syntax']);
  });

  it('a record that is not valid JSON is reported at its line and reading goes on', async () => {
    const seen = await readEveryWay('{"a":1}\n{"b": }\n{"c":3}\n{\'d\': 4}\n{"e":5}\n');
    expect(seen).toEqual([
      { index: 0, line: 1, value: { a: 1 } },
      { index: 1, line: 2, error: 'source/json-syntax' },
      { index: 2, line: 3, value: { c: 3 } },
      { index: 3, line: 4, error: 'source/json-syntax' },
      { index: 4, line: 5, value: { e: 5 } },
    ]);
  });

  it('NDJSON: a truncated line or an unclosed string does not swallow the lines after it', async () => {
    const seen = await readEveryWay('{"a":1}\n{"b": [1, 2\n{"c":3}\n{"d": "oops}\n{"e":5}\n');
    expect(seen).toEqual([
      { index: 0, line: 1, value: { a: 1 } },
      { index: 1, line: 2, error: 'source/json-syntax' },
      { index: 2, line: 3, value: { c: 3 } },
      { index: 3, line: 4, error: 'source/json-syntax' },
      { index: 4, line: 5, value: { e: 5 } },
    ]);
  });

  it('a bad element inside an array does not stop the array', async () => {
    expect(values(await readEveryWay('[{"a":1}, {"b": tru}, {"c":3}]'))).toEqual([{ a: 1 }, '!source/json-syntax', { c: 3 }]);
  });

  it('the error location names the source and the line', async () => {
    const items: RecordItem[] = [];
    for await (const it of readRecords(['{"a":1}\n\n{"b": x}\n'], { source: 'in.ndjson' })) items.push(it);
    expect(items[1]!.error).toMatchObject({ code: 'source/json-syntax', severity: 'error', location: { file: 'in.ndjson', line: 3, column: 1 } });
    expect(items[1]!.error!.message).toContain('Record 2');
  });

  it('a record over maxRecordChars gives source/too-large, and the next one is read', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(500) });
    const seen = await readEveryWay(`{"a":1}\n${big}\n{"c":3}\n`, { maxRecordChars: 100 });
    expect(values(seen)).toEqual([{ a: 1 }, '!source/too-large', { c: 3 }]);
    expect(seen[1]!.line).toBe(2);
  });

  it('a record deeper than maxDepth gives source/too-deep, and the next one is read', async () => {
    const deep = `{"a":${'['.repeat(10)}${']'.repeat(10)}}`;
    expect(values(await readEveryWay(`${deep}\n{"ok":[[1]]}\n`, { maxDepth: 5 }))).toEqual(['!source/too-deep', { ok: [[1]] }]);
    // in an array, the array itself is not counted
    expect(values(await readEveryWay(`[${deep}, {"ok":[[1]]}]`, { maxDepth: 5 }))).toEqual(['!source/too-deep', { ok: [[1]] }]);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('a record with a %s key anywhere gives record/forbidden-key', async (key) => {
    const seen = await readEveryWay(`{"a":1}\n{"x":[{"y":{"${key}":{"polluted":true}}}]}\n{"c":3}`);
    expect(values(seen)).toEqual([{ a: 1 }, '!record/forbidden-key', { c: 3 }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('indexes count every record, good or bad', async () => {
    const seen = await read(['{"a":1}\n{bad}\n{"c":3}\n']);
    expect(seen.map((s) => s.index)).toEqual([0, 1, 2]);
  });
});

describe('sources', () => {
  it('reads from a Node stream of strings', async () => {
    const stream = Readable.from(['[{"a"', ':1},', '{"b":2}]']);
    expect(values(await read(stream))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('reads from a Node stream of Buffers', async () => {
    const bytes = Buffer.from('{"name":"Zoë"}\n{"name":"東京"}\n', 'utf8');
    const stream = Readable.from([bytes.subarray(0, 11), bytes.subarray(11, 27), bytes.subarray(27)], { objectMode: true });
    expect(values(await read(stream))).toEqual([{ name: 'Zoë' }, { name: '東京' }]);
  });

  it('streams: a record is yielded before the rest of the input arrives', async () => {
    let released: () => void = () => {};
    const gate = new Promise<void>((r) => { released = r; });
    async function* chunks() {
      yield '{"a":1}\n';
      await gate;
      yield '{"b":2}\n';
    }
    const it = readRecords(chunks());
    const first = await it.next();
    expect(first.value).toMatchObject({ index: 0, value: { a: 1 } });
    released();
    const rest: Seen[] = [];
    for await (const x of it) rest.push(simplify(x));
    expect(rest).toEqual([{ index: 1, line: 2, value: { b: 2 } }]);
  });
});
