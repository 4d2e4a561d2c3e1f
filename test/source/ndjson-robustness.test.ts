/**
 * NDJSON robustness: one bad line is one coded record error at its exact line and every other
 * record is read (re-synchronisation at the next line); bytes that are not UTF-8 are a coded
 * record error, never silently replaced; very long lines and Buffer chunking do not change
 * the result.
 */
import { describe, expect, it } from 'vitest';
import { readRecords, type RecordItem } from '../../src/index.js';
import { collect } from '../helpers/cli.js';

type Seen = { index: number; line: number; value?: unknown; error?: string };
const seen = (items: RecordItem[]): Seen[] => items.map((it) => (it.error ? { index: it.index, line: it.line, error: it.error.code } : { index: it.index, line: it.line, value: it.value }));
const read = async (chunks: Array<string | Buffer>): Promise<Seen[]> => seen(await collect(readRecords(chunks as Iterable<string>)));

/** Buffers of at most `n` bytes. */
function bytesIn(buf: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += n) out.push(buf.subarray(i, i + n));
  return out;
}

describe('re-synchronisation after a bad line', () => {
  const lines = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ id: i, name: `r${i}`, lines: [{ q: 1 }] }));

  it.each([
    ['a stray }', '}'],
    ['a stray ]', ']'],
    ['a truncated record', '{"id": "broken", "lines": [1, 2'],
    ['an unclosed string', '{"id": "oops}'],
    ['garbage', 'not json at all'],
    ['a lone {', '{'],
  ])('%s after record 3500: one json-syntax error at its line, all 4000 records read', async (_label, bad) => {
    const text = [...lines.slice(0, 3500), bad, ...lines.slice(3500)].join('\n') + '\n';
    for (const chunks of [[text], bytesIn(Buffer.from(text), 4096), bytesIn(Buffer.from(text), 7)]) {
      const items = await read(chunks);
      const errors = items.filter((s) => s.error);
      expect(errors).toEqual([{ index: 3500, line: 3501, error: 'source/json-syntax' }]);
      const good = items.filter((s) => !s.error);
      expect(good).toHaveLength(4000);
      expect(good[3500]).toEqual({ index: 3501, line: 3502, value: JSON.parse(lines[3500]!) });
      expect(good.at(-1)!.line).toBe(4001);
    }
  });

  it('several bad lines in a row are one error each', async () => {
    expect(await read(['{"a":1}\n}\n}}\n]\n{"b":2}\n'])).toEqual([
      { index: 0, line: 1, value: { a: 1 } },
      { index: 1, line: 2, error: 'source/json-syntax' },
      { index: 2, line: 3, error: 'source/json-syntax' },
      { index: 3, line: 4, error: 'source/json-syntax' },
      { index: 4, line: 5, value: { b: 2 } },
    ]);
  });
});

describe('invalid UTF-8', () => {
  const latin1 = Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0x5a, 0x6f, 0xeb, 0x22, 0x7d]); // {"n":"Zo\xeb"}

  it('an NDJSON line that is not UTF-8 is record/invalid-utf8 at its line; the others are read', async () => {
    const text = Buffer.concat([Buffer.from('{"a":1}\n'), latin1, Buffer.from('\n{"c":"東京"}\n')]);
    for (const n of [text.length, 3, 1]) {
      expect(await read(bytesIn(text, n))).toEqual([
        { index: 0, line: 1, value: { a: 1 } },
        { index: 1, line: 2, error: 'record/invalid-utf8' },
        { index: 2, line: 3, value: { c: '東京' } },
      ]);
    }
  });

  it('a truncated multi-byte character and an overlong encoding are refused too', async () => {
    const cut = Buffer.concat([Buffer.from('{"a":"'), Buffer.from('東').subarray(0, 2), Buffer.from('"}\n')]);
    const overlong = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}\n')]);
    expect((await read([cut, overlong, Buffer.from('{"ok":1}\n')])).map((s) => s.error ?? s.value)).toEqual(['record/invalid-utf8', 'record/invalid-utf8', { ok: 1 }]);
  });

  it('inside a pretty-printed record or a JSON array, the record holding the bad bytes is refused', async () => {
    const pretty = Buffer.concat([Buffer.from('{\n  "a": 1\n}\n{\n  "n": '), latin1.subarray(5, 10), Buffer.from('\n}\n{\n  "c": 3\n}\n')]);
    expect((await read([pretty])).map((s) => s.error ?? s.value)).toEqual([{ a: 1 }, 'record/invalid-utf8', { c: 3 }]);
    const array = Buffer.concat([Buffer.from('[\n{"a":1},\n'), latin1, Buffer.from(',\n{"c":3}\n]\n')]);
    expect((await read([array])).map((s) => s.error ?? s.value)).toEqual([{ a: 1 }, 'record/invalid-utf8', { c: 3 }]);
  });

  it('valid multi-byte text split at every byte is read unchanged', async () => {
    const text = Buffer.from('{"n":"Zoë – 東京 🎉"}\n{"m":"ü"}\n');
    expect((await read(bytesIn(text, 1))).map((s) => s.value)).toEqual([{ n: 'Zoë – 東京 🎉' }, { m: 'ü' }]);
  });
});

describe('long lines', () => {
  it('a record on a line longer than the segment size is read whole, in any chunking', async () => {
    const big = { blob: 'é'.repeat(200_000), n: 1 };
    const text = `{"a":1}\n${JSON.stringify(big)}\n{"c":3}\n`;
    for (const chunks of [[text], bytesIn(Buffer.from(text), 65_536), bytesIn(Buffer.from(text), 1000)]) {
      expect((await read(chunks)).map((s) => s.error ?? s.value)).toEqual([{ a: 1 }, big, { c: 3 }]);
    }
  });

  it('a one-line JSON array of many records is streamed', async () => {
    const records = Array.from({ length: 20_000 }, (_, i) => ({ i }));
    const items = await read(bytesIn(Buffer.from(JSON.stringify(records)), 8192));
    expect(items).toHaveLength(20_000);
    expect(items.at(-1)).toEqual({ index: 19_999, line: 1, value: { i: 19_999 } });
  });

  it('a long line with invalid UTF-8 in its middle is one error', async () => {
    const text = Buffer.concat([Buffer.from(`{"a":"${'x'.repeat(100_000)}`), Buffer.from([0xff]), Buffer.from(`${'y'.repeat(100_000)}"}\n{"ok":1}\n`)]);
    expect((await read(bytesIn(text, 4096))).map((s) => s.error ?? s.value)).toEqual(['record/invalid-utf8', { ok: 1 }]);
  });
});
