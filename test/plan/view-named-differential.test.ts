/**
 * The plan view skips the full scrub when its check finds nothing to hide, and that check keeps
 * per-map memos (what the map's fixed text holds, by value). Differential, on seeded hostile
 * records (sensitively named fields at any depth, in arrays, holding text the view shows
 * elsewhere, card numbers, short codes): `datamap plan --json` (records read and checked by the
 * NDJSON reader) gives exactly what planRecords gives (records checked beforehand, the view
 * walking each record itself), and no view shows what a scrubber knowing the record's named
 * values would still hide.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScrubber, findCardNumbers, loadDataMap, planRecords, recordItems, type RecordPlanView } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { rng } from '../expressions/generator.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAP_FILE = join(repoRoot, 'mappings/field-service-to-revolv3.yaml');

type R = () => number;
const pick = <T,>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const NAMES = ['cvv', 'CVC2', 'password', 'token', 'api_key', 'secret', 'pan', 'card_number', 'cardNumber', 'iban', 'routing_number', 'security_code', 'note', 'unit'];
// text the view shows elsewhere (body strings, keys, fixed parts), card numbers, short codes
const VALUES: unknown[] = ['Santa Ana', 'Moto', 'USD', 'POST', 'billingAddress', 'Reyes', '100 Main St', 'Dana', 'FS-1', 'sale', 'Accept', '987', 987, '92701', 'CA', 'US', '4111111111111111', 4111111111111111, '5555 5555 5555 4444', '1028', 'x', 'application/json', 'pm-FS-1', '411111', '1111', 10.33, 'Bearer abcdefghijklmnop', ' Santa Ana ', 'dana@example.com'];

function hostileValue(r: R, depth: number): unknown {
  const k = r();
  if (depth < 3 && k < 0.15) return [hostileValue(r, depth + 1), hostileValue(r, depth + 1)];
  if (depth < 3 && k < 0.3) return { [pick(r, NAMES)]: hostileValue(r, depth + 1), v: hostileValue(r, depth + 1) };
  return pick(r, VALUES);
}

function invoice(r: R, i: number): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    invoiceNumber: `FS-${i}`,
    status: 'open',
    customer: {
      id: 'C-1', firstName: 'Dana', lastName: 'Reyes', email: 'dana@example.com',
      address: { street: '100 Main St', city: 'Santa Ana', state: 'CA', zip: '92701', country: 'US' },
    },
    lines: [{ description: 'Filter', qty: 3, unitPrice: 10.33 }],
    payment: { method: 'card', card: { number: '4111111111111111', expMonth: 10, expYear: 2028, cvv: pick(r, ['987', '1234', 987, 'Moto']) } },
  };
  // named fields at random places: top level, in the customer, the address, a line, the card
  const holders = [rec, rec.customer, (rec.customer as Record<string, unknown>).address, (rec.lines as unknown[])[0], (rec.payment as Record<string, unknown>).card] as Array<Record<string, unknown>>;
  const n = Math.floor(r() * 4);
  for (let j = 0; j < n; j++) pick(r, holders)[pick(r, NAMES)] = hostileValue(r, 0);
  if (r() < 0.2) (rec.customer as Record<string, unknown>).firstName = pick(r, VALUES);
  return rec;
}

const CARD_NAMES = new Set(['pan', 'card_number', 'cardnumber']);
const SECRET_NAMES = new Set(['cvv', 'cvc2', 'password', 'token', 'api_key', 'secret', 'iban', 'routing_number', 'security_code']);

/** Every leaf under a sensitively named field of `v` (the names this file uses). */
function namedValues(v: unknown, add: (x: unknown, card: boolean) => void, under?: 'card' | 'secret'): void {
  if (Array.isArray(v)) for (const x of v) namedValues(x, add, under);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const n = k.toLowerCase();
      namedValues(x, add, under ?? (CARD_NAMES.has(n) ? 'card' : SECRET_NAMES.has(n) ? 'secret' : undefined));
    }
  } else if (under) add(v, under === 'card');
}

describe('plan view: the CLI, the library and a full scrub agree', () => {
  it('datamap plan --json gives what planRecords gives, record for record (seeded hostile records)', async () => {
    const r = rng(20261202);
    const records = Array.from({ length: 300 }, (_, i) => invoice(r, i));
    const dir = mkdtempSync(join(tmpdir(), 'datamap-view-named-'));
    try {
      const input = join(dir, 'records.ndjson');
      writeFileSync(input, records.map((x) => JSON.stringify(x)).join('\n') + '\n');
      const cli = await runCli(['plan', MAP_FILE, '--input', input, '--json'], { now: () => 0 });
      const printed = JSON.parse(cli.stdout) as { records: RecordPlanView[] };

      // the general path: records checked before (no notes), so the view walks each one itself
      const map = loadDataMap({ file: MAP_FILE });
      const items = [...recordItems(structuredClone(records))].map((it) => ({ ...it, line: it.index + 1 }));
      const views: RecordPlanView[] = [];
      for await (const v of planRecords(map, items, { clock: () => 0 })) views.push(v);

      // nothing a scrubber knowing the record's named values would still hide is shown (the
      // fast check said "nothing to hide" for most of these: the memo of what the map's fixed
      // text holds, the encoded forms looked for once)
      for (let i = 0; i < views.length; i++) {
        const s = createScrubber();
        namedValues(records[i], (v, card) => s.add(v, card ? 'card' : 'secret'));
        expect(s.value(views[i]), `record ${i}`).toEqual(views[i]);
      }
      expect(printed.records.length).toBe(records.length);
      for (let i = 0; i < views.length; i++) expect(JSON.stringify(printed.records[i]), `record ${i}`).toBe(JSON.stringify(views[i]));
      expect(cli.stdout).not.toContain('4111111111111111');
      expect(cli.stdout).not.toContain('abcdefghijklmnop');
      expect(findCardNumbers(cli.stdout)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
