/**
 * Deterministic ids: every id is derived from the seed, the id kind and a per-kind counter,
 * so the same seed and the same sequence of calls always give the same ids, and several
 * sandboxes never share state. No Math.random anywhere.
 */

import { luhnValid } from './luhn.js';

/** FNV-1a 32-bit hash of a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';
const ALNUM = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** Hands out ids for one sandbox instance. */
export class IdFactory {
  private readonly counters = new Map<string, number>();
  private readonly seedText: string;
  /** Offset of numeric (Revolv3-style) ids: 1000..9,000,000 depending on the seed. */
  private readonly numericBase: number;

  constructor(seed: string | number) {
    this.seedText = String(seed);
    this.numericBase = 1000 + (hashString(this.seedText) % 9000) * 1000;
  }

  /** Forgets all counters (used by reset). */
  reset(): void {
    this.counters.clear();
  }

  /** Next value of the counter for `kind`, starting at 1. */
  count(kind: string): number {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return n;
  }

  /** A numeric id, unique within `kind`. */
  numeric(kind: string): number {
    return this.numericBase + this.count(kind);
  }

  /** A string id such as `cli_0001a3f9c2d1`: counter (unique) plus seeded hex. */
  prefixed(prefix: string): string {
    const n = this.count(prefix);
    return `${prefix}_${String(n).padStart(4, '0')}${this.chars(prefix, n, 8, HEX)}`;
  }

  /**
   * Seeded digits, e.g. for network transaction ids. Never Luhn-valid, so a card-number
   * scanner downstream does not mistake (and mask) a long id for a card number.
   */
  digits(kind: string, length: number): string {
    const out = this.chars(kind, this.count(kind), length, '0123456789');
    if (!luhnValid(out)) return out;
    const last = Number(out.slice(-1));
    return `${out.slice(0, -1)}${(last + 1) % 10}`;
  }

  /** Seeded lowercase hex. */
  hex(kind: string, length: number): string {
    return this.chars(kind, this.count(kind), length, HEX);
  }

  /** Seeded upper-case letters and digits, e.g. for auth codes. */
  code(kind: string, length: number): string {
    return this.chars(kind, this.count(kind), length, ALNUM);
  }

  private chars(kind: string, n: number, length: number, alphabet: string): string {
    const next = mulberry32(hashString(`${this.seedText}:${kind}:${n}`));
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)] ?? '0';
    return out;
  }
}
