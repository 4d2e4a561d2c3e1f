/**
 * What the plan view must show, built the slow way (the view as it was before the one-walk
 * view and its skip-the-scrub check, src/plan/view.ts): each body through redactValue and
 * Placeholders.render, the URL rendered and scrubbed, then everything through the record's
 * full scrubber (recordScrubber + addRequestValues + Scrubber.value). The fast view must equal
 * it exactly. Also the hostile values the plan differential tests draw from.
 */
import { authHeaderPreview, staticHeaders } from '../../src/providers/headers.js';
import { addRequestValues, createScrubber, recordScrubber, redactValue, scrubText } from '../../src/redact/index.js';
import { operationPaths } from '../../src/redact/redact-value.js';
import type { CompiledMap } from '../../src/datamap/types.js';
import type { RecordPlanRaw } from '../../src/plan/plan-record.js';
import { Placeholders } from '../../src/plan/placeholders.js';
import type { RecordPlanView, StepPlanView } from '../../src/plan/view.js';

/** The view of a raw plan before any value is scrubbed (redaction by path and key name, placeholders by name). */
export function unscrubbedView(map: CompiledMap, raw: RecordPlanRaw): RecordPlanView {
  const view: RecordPlanView = {
    index: raw.context.index,
    ok: raw.ok,
    diagnostics: raw.context.diagnostics.map((d) => ({ ...d, message: scrubText(d.message) })),
    steps: [],
  };
  if (raw.context.line !== undefined) view.line = raw.context.line;
  if (raw.context.key !== undefined) view.key = scrubText(raw.context.key);
  const headers = { ...staticHeaders(map.provider.pack), ...authHeaderPreview(map.provider) };
  const noBody = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
  for (const ev of raw.steps) {
    const step = map.steps.find((s) => s.id === ev.id)!;
    const sv: StepPlanView = {
      id: ev.id,
      operation: ev.operation,
      decision: ev.decision,
      placeholders: [],
      verdict: ev.decision === 'skip' ? 'skipped' : ev.valid ? 'valid' : 'invalid',
      diagnostics: ev.diagnostics.map((d) => ({ ...d, message: scrubText(d.message) })),
    };
    if (step.when) sv.when = step.when.source.trim();
    if (ev.request) {
      const ph = raw.placeholders;
      const body = ph.render(ev.request.body === undefined ? undefined : redactValue(ev.request.body, operationPaths(step.operation.spec)));
      const url = ph.render(ev.request.url.replace(/%E2%9F%A8(.*?)%E2%9F%A9/g, (_m, r: string) => `\u27E8${decodeURIComponent(r)}\u27E9`));
      const placeholders = [...url.found.map((f) => ({ ...f, pointer: 'url' })), ...body.found];
      // numeric placeholders in the URL were sentinels: their names
      const shownUrl = scrubText(String(url.value)).replace(/\b7770\d{9}\b/g, (m) => {
        const info = ph.lookup(Number(m));
        if (!info) return m;
        placeholders.push({ pointer: 'url', ...info });
        return Placeholders.display(info);
      });
      sv.request = { method: ev.request.method, url: shownUrl, headers: ev.request.body === undefined ? noBody : headers };
      if (ev.request.body !== undefined) sv.request.body = body.value;
      sv.placeholders = placeholders;
    }
    view.steps.push(sv);
  }
  return view;
}

/** The full scrub of the unscrubbed view: what the record's scrubber leaves of it. */
export function fullyScrubbedView(map: CompiledMap, raw: RecordPlanRaw): RecordPlanView {
  const s = recordScrubber(map, raw.context.record, createScrubber());
  for (const ev of raw.steps) if (ev.request) addRequestValues(s, map.steps.find((x) => x.id === ev.id)!.operation.spec, ev.request.body);
  return s.value(unscrubbedView(map, raw));
}

/** Every key and string of a value (the texts a view shows), for hostile values equal to them. */
export function textsOf(v: unknown, out: Set<string> = new Set(), depth = 0): Set<string> {
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) for (const x of v) textsOf(x, out, depth + 1);
  else if (v !== null && typeof v === 'object' && depth < 50) {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      textsOf(x, out, depth + 1);
    }
  }
  return out;
}

/** Record field names the redaction treats as sensitive (and some it does not). */
export const SENSITIVE_NAMES = ['cvv', 'CVC2', 'cvc', 'password', 'token', 'api_key', 'apiKey', 'secret', 'client_secret', 'pan', 'card_number', 'cardNumber', 'paymentAccountNumber', 'iban', 'routing_number', 'account_number', 'security_code', 'securityCode', 'access_token', 'authorization', 'x-revolv3-token', 'note', 'unit', 'memo'];

/** Strings that must be hidden, or that look as if they should be, or that stress a scan. */
export const HOSTILE_STRINGS: readonly string[] = [
  // card numbers, alone, grouped, in text, next to other digits, as non-cards
  '4111111111111111', '5555 5555 5555 4444', '4012-8888-8888-1881', '378282246310005', '6011111111111117', '4000000000000002',
  'paid with 4111 1111 1111 1111 at the door', 'INV 9-4111111111111111', '2024 4111 1111 1111 1111', 'card:5555555555554444.', '4111111111111111\u0000', 'x\u00004111111111111111y',
  '1700000000000', '1234567890123', '41111111111111111111', '4111 1111 1111 111', '4111-1111-1111-1111-', '0000000000000000', '４１１１１１１１１１１１１１１１',
  // security codes and short secrets
  '987', '1234', 'cvv 987 at door', '987.50', 'A987', 'x987',
  // credentials by shape
  'https://dana:hunter22@example.com/x', 'https://\u0000dana:hunter22@example.com', 'https://dana\u0000:hunter23@example.com', 'ftp://tok3n@host', 'see http://a@b and', 'mailto://x@y',
  'Bearer abcdefghijklmnop', 'basic dXNlcjpwYXNzd29yZA==', 'apiKey=zz9plural', 'Authorization: Bearer qwertyuiop', '"access_token":"abc123xyz"', 'x-revolv3-token: tok_live_1', 'client_secret=s3cr3t&x=1',
  // separators, unicode, placeholders' marks
  '\u0000', 'a\u0000b', '\u0000\u0000', 'Zoë 😀', '\u202Eevil', 'é\u0301', '\u2028line', 'a"b\\c', 'a b/c?d=e&f#g', ' Santa Ana ', '~0~1/', '%E2%9F%A8x%E2%9F%A9',
  '\u27E8$steps.sale.invoiceId\u27E9', '\u27E8x\u27E9 and \u27E8y\u27E9', '<$steps.order.id: integer>', '[redacted]', '411111******1111',
  // long
  'x'.repeat(3000) + ' 4111111111111111 ' + 'y'.repeat(3000),
  ('lorem ipsum dolor 12345 sit amet @ consectetur :// ').repeat(80),
  'https://example.com/' + 'p/'.repeat(500) + '?q=dana@example.com',
];

export const HOSTILE_NUMBERS: readonly number[] = [4111111111111111, 5555555555554444, 378282246310005, 6011111111111117, -4111111111111111, 987, 1234, 1700000000000, 7770000000001, 7770000000002, 1e21, 10.33, 0, -0, 0.1, 2 ** 53, 4.111111111111111e15];
