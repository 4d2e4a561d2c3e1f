/**
 * A byte-level scanner for the journal files (and any text): finds sentinel card numbers
 * (plain, grouped by spaces or dashes, UTF-8 or UTF-16), security codes (under a key named like
 * one, or as a standalone token), and secret values. It reads raw bytes, so it sees what SQLite
 * wrote to the database and WAL files, including pages a query would not show (free pages,
 * superseded WAL frames).
 */

export interface Sentinels {
  /** Full card numbers that must never be stored. */
  cards: string[];
  /** Security codes that must never be stored. */
  securityCodes: string[];
  /** Credentials and tokens that must never be stored. */
  secrets: string[];
}

export interface Finding {
  kind: 'card' | 'security-code' | 'secret';
  value: string;
  where: string;
  offset: number;
  context: string;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Names of fields that hold a security code (securityCode, security_code, cvv, cvv2, cvc, csc, credit_card_cvv, cardCode...). */
const CODE_KEY = String.raw`(?:security[_ -]?code|card[_ -]?code|credit_card_cvv|cvv2?|cvc2?|csc|cid)`;

/** Text views of the bytes: Latin-1 (one char per byte, offsets exact; covers UTF-8 ASCII) and UTF-16LE. */
function views(bytes: Buffer): Array<{ text: string; scale: number; enc: string }> {
  return [
    { text: bytes.toString('latin1'), scale: 1, enc: 'utf8' },
    { text: bytes.toString('utf16le'), scale: 2, enc: 'utf16le' },
    { text: bytes.subarray(1).toString('utf16le'), scale: 2, enc: 'utf16le+1' },
  ];
}

function context(text: string, at: number, len: number): string {
  return text.slice(Math.max(0, at - 40), at + len + 40).replace(/[^\x20-\x7e]/g, '.');
}

/** Every sentinel found in `bytes`; `where` names the source in the findings. */
export function scanBytes(bytes: Buffer, sentinels: Sentinels, where: string): Finding[] {
  const findings: Finding[] = [];
  for (const { text, scale, enc } of views(bytes)) {
    const at = (i: number) => i * scale + (enc === 'utf16le+1' ? 1 : 0);
    for (const card of sentinels.cards) {
      // the digits, optionally grouped by single spaces or dashes, not inside a longer digit run
      const re = new RegExp(`(?<![0-9])${card.split('').map(esc).join('[ -]?')}(?![0-9])`, 'g');
      for (const m of text.matchAll(re)) findings.push({ kind: 'card', value: card, where: `${where} (${enc})`, offset: at(m.index), context: context(text, m.index, m[0].length) });
    }
    for (const code of sentinels.securityCodes) {
      // under a key named like a security code: "securityCode":"987", cvv=987, security_code 987
      const named = new RegExp(`${CODE_KEY}[^0-9A-Za-z]{0,8}${esc(code)}(?![0-9])`, 'gi');
      for (const m of text.matchAll(named)) findings.push({ kind: 'security-code', value: code, where: `${where} (${enc}, named)`, offset: at(m.index), context: context(text, m.index, m[0].length) });
      // as a token of its own, delimited by text punctuation or space on both sides ("987",
      // 987, ' 987.' ...). Digits inside ids, amounts or binary integers are not tokens.
      const token = new RegExp(`(?<=[\\s"'\`:,;=(\\[{])${esc(code)}(?=[\\s"'\`,;)\\]}]|\\.(?![0-9]))`, 'g');
      for (const m of text.matchAll(token)) findings.push({ kind: 'security-code', value: code, where: `${where} (${enc}, token)`, offset: at(m.index), context: context(text, m.index, m[0].length) });
    }
    for (const secret of sentinels.secrets) {
      let i = text.indexOf(secret);
      while (i >= 0) {
        findings.push({ kind: 'secret', value: secret, where: `${where} (${enc})`, offset: at(i), context: context(text, i, secret.length) });
        i = text.indexOf(secret, i + 1);
      }
    }
  }
  return findings;
}

/** Scans text (CLI output, JSON) the same way. */
export function scanText(text: string, sentinels: Sentinels, where: string): Finding[] {
  return scanBytes(Buffer.from(text, 'utf8'), sentinels, where);
}

/** A short report of findings for an assertion message. */
export function describeFindings(findings: Finding[]): string {
  return findings.slice(0, 20).map((f) => `${f.kind} ${f.value} in ${f.where} at ${f.offset}: …${f.context}…`).join('\n');
}
