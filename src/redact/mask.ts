import { luhnValid } from './luhn.js';

/** What a redacted secret or security code is shown as. */
export const REDACTED = '[redacted]';

/** A card number as first 6 + last 4 (PCI DSS 3.4.1); shorter values are hidden entirely. */
export function maskCardNumber(value: string | number): string {
  const text = typeof value === 'string' ? value : String(value);
  // fewer than 13 characters cannot hold 13 digits
  if (text.length < 13) return REDACTED;
  // digits only (a card number as most records hold it): nothing to take out
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) {
      plain = false;
      break;
    }
  }
  const digits = plain ? text : text.replace(/[\s-]/g, '');
  if (!plain && (!/^\d+$/.test(digits) || digits.length < 13)) return REDACTED;
  return digits.slice(0, 6) + stars(digits.length - 10) + digits.slice(-4);
}

// '*' runs of the lengths card numbers need (3 to 9; longer ones built when asked)
const STARS: string[] = [];
for (let n = 0; n <= 16; n++) STARS.push('*'.repeat(n));
function stars(n: number): string {
  return n < STARS.length ? STARS[n]! : '*'.repeat(n);
}

// A whole run of digits, optionally grouped by single spaces or dashes; see cardSpans.
const PAN_CANDIDATE = /(?<![\d])\d(?:[ -]?\d)*/g;

/**
 * True when `text` holds a run of at least 13 digits (single spaces or dashes allowed between
 * them): only such a run can be a card number, so only then is the Luhn scan worth running.
 * One pass over the characters, no allocation.
 */
export function mayHoldCardNumber(text: string): boolean {
  if (text.length < 13) return false;
  let run = 0;
  let sep = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= 13) return true;
      sep = false;
    } else if ((c === 32 || c === 45) && run > 0 && !sep) {
      sep = true;
    } else {
      run = 0;
      sep = false;
    }
  }
  return false;
}

/**
 * True when `scrubText` would mask something in `text`: some run of digits (as PAN_CANDIDATE
 * finds them: single spaces or dashes between digits) holds a card number by `cardSpans`' rules.
 * One pass over the characters; a run of 13+ plain digits is checked where it stands, a grouped
 * one by cardSpans.
 */
export function holdsCardNumber(text: string): boolean {
  const n = text.length;
  if (n < 13) return false;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c < 48 || c > 57) {
      i++;
      continue;
    }
    // a run starts here: the character before it (if any) is no digit
    const start = i;
    let digits = 1;
    let grouped = false;
    i++;
    while (i < n) {
      c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        digits++;
        i++;
        continue;
      }
      if ((c === 32 || c === 45) && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 48 && d <= 57) {
          grouped = true;
          digits++;
          i += 2;
          continue;
        }
      }
      break;
    }
    if (digits >= 13) {
      const run = text.slice(start, i);
      if (grouped ? cardSpans(run).length > 0 : isCardNumber(run)) return true;
    }
  }
  return false;
}

/**
 * True when a digit string can be a card number: 13–19 digits, a possible first digit, and the
 * Luhn check. No card number starts with 0, and the only ones starting with 1 (UATP) have 15
 * digits — which keeps millisecond timestamps (13 or 16 digits starting with 1) intact.
 */
export function isCardNumber(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const first = digits.charCodeAt(0);
  if (first === 48 || (first === 49 && n !== 15)) return false;
  return luhnValid(digits);
}

/** Masks every Luhn-valid card-number-like digit run inside free text. */
export function scrubText(text: string): string {
  if (!holdsCardNumber(text)) return text;
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

/**
 * The card numbers in one run of digits: the whole run when it is 13–19 digits and passes Luhn;
 * otherwise, when the run is grouped, each longest sequence of whole groups that is one — a card
 * number written after or before other digits ("INV 9-4111111111111111", "2024 4111 1111 1111
 * 1111"). An ungrouped run longer than 19 digits is not searched inside (it is some other number).
 */
function cardSpans(run: string): Array<[start: number, end: number, digits: string]> {
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

/** Finds Luhn-valid card numbers in text (for scanners and tests). */
export function findCardNumbers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PAN_CANDIDATE)) for (const [, , digits] of cardSpans(m[0])) out.push(digits);
  return out;
}

// `scheme://user:pass@host` and `scheme://token@host`: everything before the @ goes.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^\s/?#@"'<>]+@/gi;
// `Authorization: Bearer abc`, `x-revolv3-token: abc`, `"access_token":"abc"`, `apiKey=abc` in free text.
const CREDENTIAL_PAIR = /\b((?:proxy-)?authorization|x-[a-z0-9-]*(?:token|key|secret)|access_token|refresh_token|api[-_]?key|client_?secret)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',;}&]+/gi;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

const CREDENTIAL_WORD = /authoriz|token|key|secret|bearer|basic/i;

/**
 * False when `maskCredentials` and `scrubText` would leave `text` as it is: no digit run long
 * enough for a card number, no URL with user info, no credential word. True means "maybe" (it
 * is a quick test, not the masking).
 */
export function mayNeedMasking(text: string): boolean {
  return mayHoldUserInfo(text) || mayHoldCardNumber(text) || CREDENTIAL_WORD.test(text);
}

/**
 * For several strings joined by a character that is neither a digit, a space, a dash nor a word
 * character (U+0000): false when `scrubText` and `maskCredentials` leave every one of them as
 * it is, checked on the joined text at once (a digit run or a credential never spans the
 * joint). The URL user-info test is the caller's, on each string ({@link mayHoldUserInfo}): its
 * two marks could come from different strings. True may also mean "maybe". `digitRuns: false`
 * says the caller found no string with a digit run long enough for a card number
 * ({@link mayHoldCardNumber}) and skips that scan.
 */
export function maskingChangesJoined(joined: string, digitRuns = true): boolean {
  if (digitRuns && holdsCardNumber(joined)) return true;
  return CREDENTIAL_WORD.test(joined) && maskCredentials(joined) !== joined;
}

/**
 * For strings joined by any character (U+0000 or another, which a string may itself hold):
 * false when `maskCredentials` finds URL user info in none of them. Each `://` is followed to
 * the first character URL_USERINFO's user info cannot hold (a subset of them: `/ ? # " ' < >`
 * and ASCII white space) or to an `@` after at least one other character, which means "maybe".
 * A match inside one string is found the same way in the joined text, whatever joins them;
 * linear (a `://` inside a stretch already followed is not followed again).
 */
export function mayHoldUserInfoJoined(text: string): boolean {
  const n = text.length;
  let at = text.indexOf('://');
  while (at !== -1) {
    const start = at + 3;
    let i = start;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 64) {
        if (i > start) return true;
        break;
      }
      // / ? # " ' < > and ASCII white space: no user info goes on past one
      if (c === 47 || c === 63 || c === 35 || c === 34 || c === 39 || c === 60 || c === 62 || c === 32 || (c >= 9 && c <= 13)) break;
    }
    // a later `://` before i would be followed to the same end
    at = text.indexOf('://', Math.max(at + 1, i - 2));
  }
  return false;
}

/** False when `text` holds no URL with user info (`scheme://user@host`) for maskCredentials to mask. */
export function mayHoldUserInfo(text: string): boolean {
  return text.includes('@') && text.includes('://');
}

/**
 * Masks credentials that text can carry by their shape, whatever their value: the user info of
 * a URL, an auth header or token field written out, a Bearer/Basic credential.
 */
export function maskCredentials(text: string): string {
  let out = text;
  if (out.includes('://') && out.includes('@')) out = out.replace(URL_USERINFO, `$1${REDACTED}@`);
  if (CREDENTIAL_WORD.test(out)) {
    out = out.replace(CREDENTIAL_PAIR, (m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
    out = out.replace(BEARER, (m, scheme: string) => `${scheme} ${REDACTED}`);
  }
  return out;
}
