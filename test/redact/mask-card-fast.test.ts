/**
 * maskCardNumber's fast paths (fewer than 13 characters; digits only) give what the plain
 * definition gives — separators (\s and -) out, then first 6 + last 4 of 13+ digits, else
 * [redacted] — on seeded strings and numbers of digits, spaces (ASCII and Unicode), dashes and
 * other characters.
 */
import { describe, expect, it } from 'vitest';
import { maskCardNumber, REDACTED } from '../../src/redact/mask.js';
import { rng } from '../expressions/generator.js';

function definition(value: string | number): string {
  const digits = String(value).replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits) || digits.length < 13) return REDACTED;
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

describe('maskCardNumber', () => {
  it('equals its definition on seeded strings and numbers', () => {
    const r = rng(20261203);
    const chars = ['0', '1', '4', '9', '9', '5', ' ', '-', '\u00a0', '\u2003', '\t', 'a', '٣', '４', '.', '+', 'e'];
    for (let i = 0; i < 20000; i++) {
      const n = Math.floor(r() * 28);
      let s = '';
      for (let j = 0; j < n; j++) s += r() < 0.8 ? String(Math.floor(r() * 10)) : chars[Math.floor(r() * chars.length)]!;
      expect(maskCardNumber(s), JSON.stringify(s)).toBe(definition(s));
      const x = Number(s.replace(/[^0-9]/g, '').slice(0, 20) || '0') * (r() < 0.1 ? -1 : 1);
      expect(maskCardNumber(x), String(x)).toBe(definition(x));
    }
    for (const v of ['4111111111111111', '4111 1111 1111 1111', '4111-1111-1111-1111', '411111111111', '', '1'.repeat(40), 4111111111111111, 1e21, -4111111111111111, NaN]) expect(maskCardNumber(v)).toBe(definition(v));
  });
});
