/**
 * Masking for the studio. Every answer goes through `maskAnswer` (the same redaction the CLI's
 * output gets, then a scrub of known secret values). The page never sees a card number or a
 * secret it did not type itself: values the server read from disk are sent masked, and when the
 * page sends them back unchanged, `restoreText` / `restoreRecord` put the real values back on
 * the server side, so planning and saving still work with what is on disk.
 */
import { createHash } from 'node:crypto';
import { parseDocument, isMap, isScalar, type Node } from 'yaml';
import { findCardNumbers, maskCardNumber, redactValue, REDACTED } from '../redact/index.js';

/** Redacts an answer like the CLI's output, then replaces every known secret value. */
export function maskAnswer(value: unknown, secrets: readonly string[]): string {
  let text = JSON.stringify(redactValue(value));
  for (const s of secrets) {
    if (s.length < 6) continue;
    const quoted = JSON.stringify(s).slice(1, -1);
    text = text.split(quoted).join(REDACTED);
  }
  return text;
}

/**
 * Masked text for the page and the way back: card numbers (Luhn-valid digit runs) become
 * first 6 + last 4; literal credential values under `provider.credentials` become a marker.
 */
export class TextVault {
  /** masked form → original; `null` when two originals share a mask (it then stays masked). */
  private readonly swaps = new Map<string, string | null>();

  /** The text to send to the page; remembers how to undo it. */
  mask(text: string): string {
    let out = text;
    // literal secrets: replace their source span with a marker named by a hash of the value
    for (const sp of literalSecretSpans(text).sort((a, b) => b.start - a.start)) {
      const original = text.slice(sp.start, sp.end);
      const masked = `__studio_hidden_secret_${createHash('sha256').update(original).digest('hex').slice(0, 10)}__`;
      this.remember(masked, original);
      out = out.slice(0, sp.start) + masked + out.slice(sp.end);
    }
    for (const pan of new Set(findCardNumbers(out))) this.remember(maskCardNumber(pan), pan);
    return scrubAll(out);
  }

  private remember(masked: string, original: string): void {
    const had = this.swaps.get(masked);
    if (had === undefined) this.swaps.set(masked, original);
    else if (had !== original) this.swaps.set(masked, null);
  }

  /** The page's text with the values masked on the way out put back. */
  restore(text: string): string {
    let out = text;
    for (const [masked, original] of this.swaps) if (original !== null) out = out.split(masked).join(original);
    return out;
  }
}

function scrubAll(text: string): string {
  let out = text;
  for (const pan of findCardNumbers(text)) out = out.split(pan).join(maskCardNumber(pan));
  return out;
}

/** Source spans of literal values under provider.credentials (what validate reports as literal secrets). */
function literalSecretSpans(text: string): Array<{ start: number; end: number }> {
  if (!text.includes('credentials')) return [];
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false, strict: false });
  } catch {
    return [];
  }
  const creds = doc.getIn(['provider', 'credentials'], true) as Node | undefined;
  if (!creds || !isMap(creds)) return [];
  const out: Array<{ start: number; end: number }> = [];
  for (const pair of creds.items) {
    const v = pair.value;
    if (!isScalar(v) || !v.range) continue;
    const raw = String(v.value ?? '');
    if (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(raw) || raw === '') continue;
    out.push({ start: v.range[0], end: v.range[1] });
  }
  return out;
}

/** Records as the page sees them: each one redacted like the CLI would print it. */
export function maskRecord(record: unknown): unknown {
  return redactValue(record);
}

/**
 * The record the page sent, with every leaf that still equals the masked form of the original
 * record's value at the same place replaced by that original value.
 */
export function restoreRecord(sent: unknown, original: unknown): unknown {
  return restore(sent, redactValue(original), original, 0);
}

function restore(sent: unknown, masked: unknown, original: unknown, depth: number): unknown {
  if (depth > 100) return sent;
  if (Array.isArray(sent)) {
    if (!Array.isArray(masked) || !Array.isArray(original)) return sent;
    return sent.map((v, i) => restore(v, masked[i], original[i], depth + 1));
  }
  if (sent !== null && typeof sent === 'object') {
    if (masked === null || typeof masked !== 'object' || Array.isArray(masked) || original === null || typeof original !== 'object') return sent;
    const m = masked as Record<string, unknown>;
    const o = original as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(sent as Record<string, unknown>)) {
      out[k] = Object.prototype.hasOwnProperty.call(o, k) ? restore(v, m[k], o[k], depth + 1) : v;
    }
    return out;
  }
  if (sent !== undefined && sent === masked && masked !== original) return original;
  return sent;
}
