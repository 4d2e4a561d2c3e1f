/**
 * The plan view skips the string-by-string scrub when a check over everything it shows finds
 * nothing to hide. These records put sensitive values where that check must see them: in the
 * fixed parts of a view (header names, operation, method), in body strings and keys, in numbers,
 * next to other text, and shaped as credentials. Nothing of them may be shown, by planRecords
 * (library) or `datamap plan` (--json and text), and a view with nothing to hide is the same
 * whichever way it was built.
 */
import { describe, expect, it } from 'vitest';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScrubber, findCardNumbers, loadDataMap, planRecords, recordItems, type RecordPlanView } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAP_FILE = join(repoRoot, 'mappings/field-service-to-revolv3.yaml');
const clock = () => Date.UTC(2026, 10, 5);

function invoice(extra: Record<string, unknown> = {}, address: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    invoiceNumber: 'FS-1',
    status: 'open',
    customer: {
      id: 'C-1', firstName: 'Dana', lastName: 'Reyes', email: 'dana@example.com',
      address: { street: '100 Main St', city: 'Santa Ana', state: 'CA', zip: '92701', country: 'US', ...address },
    },
    lines: [{ description: 'Filter', qty: 3, unitPrice: 10.33 }],
    payment: { method: 'card', card: { number: '4111111111111111', expMonth: 10, expYear: 2028, cvv: '987' } },
    ...extra,
  };
}

/** Each case: a record, and texts that must not appear in its plan. */
const CASES: Array<{ name: string; record: Record<string, unknown>; hidden: string[] }> = [
  { name: 'a secret equal to a header name', record: invoice({ password: 'Accept' }), hidden: ['"Accept"', 'Accept:'] },
  { name: 'a secret equal to the operation and method', record: invoice({ secret: 'payments.sale', token: 'POST' }), hidden: ['payments.sale', 'POST '] },
  { name: 'a secret equal to the key', record: invoice({ api_key: 'FS-1' }), hidden: ['FS-1'] },
  { name: 'a secret equal to a body key', record: invoice({ client_secret: 'billingAddress' }), hidden: ['billingAddress'] },
  { name: 'a security code next to text', record: invoice({}, { unit: 'cvv 987 at door' }), hidden: ['987'] },
  { name: 'a card number in free text', record: invoice({}, { unit: 'paid with 5555 5555 5555 4444' }), hidden: ['5555555555554444', '5555 5555 5555 4444'] },
  { name: 'the record card number elsewhere', record: invoice({}, { unit: 'card 4111111111111111' }), hidden: ['4111111111111111'] },
  { name: 'a bearer credential', record: invoice({}, { unit: 'Bearer abcdefghijklmnop' }), hidden: ['abcdefghijklmnop'] },
  { name: 'URL user info', record: invoice({}, { unit: 'https://dana:hunter22@example.com/x' }), hidden: ['hunter22'] },
  { name: 'URL user info holding U+0000', record: invoice({}, { unit: 'https://\u0000dana:hunter22@example.com/x' }), hidden: ['hunter22'] },
  { name: 'URL user info with U+0000 between its marks', record: invoice({}, { unit: 'https://dana\u0000:hunter23@example.com' }), hidden: ['hunter23'] },
  { name: 'a credential pair', record: invoice({}, { unit: 'apiKey=zz9plural' }), hidden: ['zz9plural'] },
  { name: 'a long secret as a number', record: invoice({ token: 10.33 * 3 }, {}), hidden: [] },
  { name: 'nothing to hide', record: invoice(), hidden: [] },
];

async function plan(record: Record<string, unknown>): Promise<RecordPlanView> {
  const map = loadDataMap({ file: MAP_FILE });
  for await (const v of planRecords(map, recordItems([record]), { clock })) return v;
  throw new Error('no plan');
}

describe('plan view scrubbing', () => {
  it.each(CASES)('$name: never shown by planRecords', async ({ record, hidden }) => {
    const view = await plan(record);
    const text = JSON.stringify(view);
    for (const h of [...hidden, '4111111111111111', '987"']) expect(text, h).not.toContain(h);
    expect(findCardNumbers(text)).toEqual([]);
    // scrubbing the view again with what the record holds changes nothing: nothing was left
    const again = createScrubber(['Accept', 'payments.sale', 'POST', 'FS-1', 'billingAddress'].filter((x) => hidden.some((h) => h.includes(x))));
    expect(again.value(view)).toEqual(view);
  });

  it('plans the same record the same way however often, with or without things to hide around it', async () => {
    const plain = await plan(invoice());
    const map = loadDataMap({ file: MAP_FILE });
    const mixed: RecordPlanView[] = [];
    for await (const v of planRecords(map, recordItems([invoice({ password: 'Accept' }), invoice(), invoice({}, { unit: 'Bearer abcdefghijklmnop' }), invoice()]), { clock })) mixed.push(v);
    expect({ ...mixed[1], index: 0 }).toEqual(plain);
    expect({ ...mixed[3], index: 0 }).toEqual(plain);
    expect(JSON.stringify(plain)).toContain('"Accept":"application/json"');
    expect(JSON.stringify(mixed[0])).not.toContain('"Accept"');
  });

  it('datamap plan prints none of them (--json and text)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datamap-view-scrub-'));
    try {
      const input = join(dir, 'records.ndjson');
      writeFileSync(input, CASES.map((c) => JSON.stringify(c.record)).join('\n') + '\n');
      for (const args of [['--json'], []]) {
        const r = await runCli(['plan', MAP_FILE, '--input', input, ...args]);
        const out = r.stdout + r.stderr;
        for (const h of ['4111111111111111', 'abcdefghijklmnop', 'hunter22', 'zz9plural', '5555555555554444', '5555 5555 5555 4444', 'cvv 987']) expect(out, h).not.toContain(h);
        expect(findCardNumbers(out)).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
