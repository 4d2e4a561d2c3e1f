import { luhnValid } from './luhn.js';

/** What a redacted secret or security code is shown as. */
export const REDACTED = '[redacted]';

/** A card number as first 6 + last 4 (PCI DSS 3.4.1); shorter values are hidden entirely. */
export function maskCardNumber(value: string | number): string {
  const digits = String(value).replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits) || digits.length < 13) return REDACTED;
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

// 13–19 digits, optionally grouped by single spaces or dashes, not inside a longer digit run.
const PAN_CANDIDATE = /(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])/g;

/** Masks every Luhn-valid card-number-like digit run inside free text. */
export function scrubText(text: string): string {
  if (!/\d{4}/.test(text)) return text;
  return text.replace(PAN_CANDIDATE, (m) => {
    const digits = m.replace(/[ -]/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? maskCardNumber(digits) : m;
  });
}

/** Finds Luhn-valid card numbers in text (for scanners and tests). */
export function findCardNumbers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PAN_CANDIDATE)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) out.push(digits);
  }
  return out;
}
