/**
 * Scrubber.value: every string of a value (keys included) is scrubbed — known secrets, card
 * numbers, credentials by their shape — and the parts in which nothing needs hiding are kept as
 * they are, not rebuilt (the per-record cost of a plan or a run result).
 */
import { describe, expect, it } from 'vitest';
import { createScrubber } from '../../src/index.js';

const clean = () => ({ id: 'FS-1', amount: 159.99, lines: [{ sku: 'AF-1', qty: 3 }], when: new Date(0), ok: true, none: null });

describe('Scrubber.value', () => {
  it('returns a value with nothing to hide as it is', () => {
    const s = createScrubber(['tok_live_secret_1']).child().add('987', 'secret');
    const v = clean();
    expect(s.value(v)).toBe(v);
  });

  it('copies only the parts that change: a secret, a card number, a credential, a short code on its own, a key', () => {
    const s = createScrubber(['tok_live_secret_1']).child().add('987', 'secret').add('4111 1111 1111 1111', 'card');
    const untouched = { sku: 'AF-1', qty: 3, note: 'order 1987' };
    const v = {
      keep: untouched,
      message: 'token tok_live_secret_1 refused',
      card: { number: '4111111111111111', other: '5500 0000 0000 0004' },
      header: 'x-revolv3-token: abcdef123456',
      cvv: 'cvv 987',
      list: [untouched, 'ok', 'url https://user:pass@host.example/x'],
      tok_live_secret_1: 1,
    };
    const out = s.value(v) as Record<string, unknown> & typeof v;
    expect(out).not.toBe(v);
    expect(out.keep).toBe(untouched);
    expect((out.list as unknown[])[0]).toBe(untouched);
    expect(out).toEqual({
      keep: untouched,
      message: 'token [redacted] refused',
      card: { number: '411111******1111', other: '550000******0004' },
      header: 'x-revolv3-token: [redacted]',
      cvv: 'cvv [redacted]',
      list: [untouched, 'ok', 'url https://[redacted]@host.example/x'],
      '[redacted]': 1,
    });
    // the input is not changed
    expect(v.message).toBe('token tok_live_secret_1 refused');
  });

  it('scrubs an error by its message, and cuts what nests too deep', () => {
    const s = createScrubber(['tok_live_secret_1']);
    expect(s.value({ e: new Error('bad tok_live_secret_1') })).toEqual({ e: 'bad [redacted]' });
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 250; i++) deep = { d: deep };
    const out = JSON.stringify(s.value(deep));
    expect(out).toContain('"[redacted]"');
    expect(out).not.toContain('leaf');
  });
});
