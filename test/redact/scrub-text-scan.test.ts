/**
 * scrubText decides whether there is anything to mask with one pass over the characters
 * (holdsCardNumber) before it runs the masking replace. Seeded random texts of digits, spaces,
 * dashes and other characters, with card numbers planted in them, are masked exactly as the
 * regex-only version did (kept here as the reference), and the plan view's joined check
 * (maskingChangesJoined) says "changes" exactly when scrubText changes the text.
 */
import { describe, expect, it } from 'vitest';
import { luhnValid, maskCardNumber, maskingChangesJoined, scrubText } from '../../src/redact/index.js';
import { holdsCardNumber } from '../../src/redact/mask.js';
import { rng } from '../helpers/seeded.js';

// ---- the reference: scrubText as it was, the regex replace alone ----
const PAN_CANDIDATE = /(?<![\d])\d(?:[ -]?\d)*/g;
function isCardNumber(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const first = digits.charCodeAt(0);
  if (first === 48 || (first === 49 && n !== 15)) return false;
  return luhnValid(digits);
}
function cardSpans(run: string): Array<[number, number, string]> {
  if (run.length < 13) return [];
  const digits = run.replace(/[ -]/g, '');
  if (digits.length < 13) return [];
  if (isCardNumber(digits)) return [[0, run.length, digits]];
  const groups = [...run.matchAll(/\d+/g)];
  if (groups.length < 2) return [];
  const out: Array<[number, number, string]> = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = groups.length - 1; j >= i; j--) {
      const ds = groups.slice(i, j + 1).map((g) => g[0]).join('');
      if (ds.length > 19) continue;
      if (ds.length < 13) break;
      if (isCardNumber(ds)) {
        out.push([groups[i]!.index, groups[j]!.index + groups[j]![0].length, ds]);
        i = j;
        break;
      }
    }
  }
  return out;
}
function referenceScrub(text: string): string {
  return text.replace(PAN_CANDIDATE, (m) => {
    const spans = cardSpans(m);
    if (spans.length === 0) return m;
    let out = '';
    let at = 0;
    for (const [start, end, digits] of spans) {
      out += m.slice(at, start) + maskCardNumber(digits);
      at = end;
    }
    return out + m.slice(at);
  });
}

const CARDS = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4111 1111 1111 1111', '5555-5555-5555-4444', '2222400010000008', '4000056655665556'];
const PIECES = ['0', '1', '4', '7', '9', ' ', '-', '  ', '--', ' -', 'a', '.', '*', '\u0000', 'é', '\n', '1700000000000', '7770000000001', '41111111111111110000'];

function randomText(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 14);
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.15) s += CARDS[Math.floor(r() * CARDS.length)];
    else if (x < 0.55) s += String(Math.floor(r() * 10));
    else s += PIECES[Math.floor(r() * PIECES.length)];
  }
  return s;
}

describe('scrubText: the one-pass scan before the masking replace', () => {
  const SEED = 1212;
  it(`masks as the regex-only version did (30,000 seeded texts, seed ${SEED})`, () => {
    const r = rng(SEED);
    let masked = 0;
    for (let k = 0; k < 30_000; k++) {
      const text = randomText(r);
      const expected = referenceScrub(text);
      expect(scrubText(text), JSON.stringify(text)).toBe(expected);
      expect(holdsCardNumber(text), JSON.stringify(text)).toBe(expected !== text);
      // (the texts hold no credential word, so only card numbers can change them)
      expect(maskingChangesJoined(text), JSON.stringify(text)).toBe(expected !== text);
      if (expected !== text) masked++;
    }
    // both kinds were exercised
    expect(masked).toBeGreaterThan(3000);
    expect(masked).toBeLessThan(27_000);
  });

  it.each([
    ['4111111111111111', true],
    ['x4111111111111111x', true],
    ['41111111111111110000', false],
    ['4111 1111 1111 1111', true],
    ['4111  1111 1111 1111', false],
    ['1700000000000', false],
    ['2024 4111 1111 1111 1111', true],
    ['FS-L9-2222400010000008', true],
    ['411111111111111', false],
    ['', false],
  ])('%j holds a card number: %s', (text, holds) => {
    expect(holdsCardNumber(text)).toBe(holds);
    expect(scrubText(text) !== text).toBe(holds);
  });
});
