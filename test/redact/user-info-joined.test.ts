/**
 * mayHoldUserInfoJoined (the plan view's quick check for URL user info over every string it
 * shows, joined): never false when maskCredentials would mask user info in one of the strings,
 * whatever joins them — U+0000 included, which a string may itself hold (24722c6). Seeded
 * strings over the characters that matter (marks, stops, white space of both kinds).
 */
import { describe, expect, it } from 'vitest';
import { maskCredentials, mayHoldUserInfoJoined } from '../../src/redact/mask.js';
import { rng } from '../expressions/generator.js';

// what maskCredentials masks as user info (src/redact/mask.ts URL_USERINFO)
const USERINFO = /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^\s/?#@"'<>]+@/i;
const ALPHABET = ['h', 't', 'p', 's', 'a', 'Z', '0', '.', '-', '+', ':', '/', '//', '://', '@', ' ', '\t', '\u0000', '\u00a0', '\u2028', '?', '#', '"', "'", '<', '>', '[', 'é', '😀', 'https://', 'x:y@', '\u0000@'];

describe('mayHoldUserInfoJoined', () => {
  it('finds user info in any one string, whatever joins them (seeded)', () => {
    const r = rng(20261203);
    let found = 0;
    for (let i = 0; i < 30000; i++) {
      const parts: string[] = [];
      const n = 1 + Math.floor(r() * 4);
      for (let j = 0; j < n; j++) {
        let s = '';
        const len = Math.floor(r() * 12);
        for (let k = 0; k < len; k++) s += ALPHABET[Math.floor(r() * ALPHABET.length)]!;
        parts.push(s);
      }
      const joined = parts.join(['\u0000', '', ' ', '@', '/'][Math.floor(r() * 5)]!) + '\u0000';
      const masked = parts.some((s) => USERINFO.test(s));
      if (masked) found++;
      if (masked) expect(mayHoldUserInfoJoined(joined), JSON.stringify(parts)).toBe(true);
      // and it agrees with maskCredentials on a single string where that finds nothing else to mask
      if (n === 1 && !/authoriz|token|key|secret|bearer|basic/i.test(parts[0]!) && maskCredentials(parts[0]!) !== parts[0]) expect(mayHoldUserInfoJoined(parts[0]!)).toBe(true);
    }
    expect(found).toBeGreaterThan(1000);
  });

  it('the cases that matter, and plain text', () => {
    for (const s of ['https://dana:hunter22@example.com/x', 'https://\u0000dana:hunter22@example.com', 'https://dana\u0000:hunter23@example.com', 'a\u0000https://x@y', 'ftp://tok3n@host']) expect(mayHoldUserInfoJoined(s), JSON.stringify(s)).toBe(true);
    for (const s of ['https://api.example.com/x?email=dana@example.com', 'dana@example.com\u0000https://api.example.com/', 'https://@host', 'https://a b@c', 'mailto:dana@example.com', '']) expect(mayHoldUserInfoJoined(s), JSON.stringify(s)).toBe(false);
    // linear on a long run of marks
    const t = Date.now();
    expect(mayHoldUserInfoJoined('x://'.repeat(500_000))).toBe(false);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
