/**
 * Journal leak scan: the shipped Data Maps run against the sandbox over one journal file with
 * sentinel records (cards 4111111111111111, 2222400010000008, 5555555555554444, plain and
 * grouped, security code 987), declines, skips, a duplicate key, a key that holds a card
 * number, faults after processing (error-after, reset-after), a failing lookup and a record held
 * for review; each map runs twice (the second pass replays). Then the raw bytes of the database
 * file and its WAL file, and what `datamap runs` / `runs show` print, must hold no sentinel card
 * number, no security code and no sandbox credential. The scanner is proven to catch each kind
 * of value when one is planted into a copy of the journal.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataMap, openJournal, recordItems, runRecords, startSandbox, type CompiledMap, type Journal, type RecordResult, type RunOptions, type Sandbox } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { describeFindings, scanBytes, scanText, type Sentinels } from './leak-scanner.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const CARDS = ['4111111111111111', '2222400010000008', '5555555555554444'];
const CVV = '987';
const MAPS = readdirSync(join(ROOT, 'mappings')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).sort();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const fsSample = (JSON.parse(readFileSync(join(ROOT, 'examples/field-service/invoices.json'), 'utf8')) as Loose[])[0];
const shopSample = (JSON.parse(readFileSync(join(ROOT, 'examples/shopify/orders.json'), 'utf8')) as Loose[])[0];

function fsRecord(no: string, card: string, total: number, patch: Loose = {}): Loose {
  return {
    ...structuredClone(fsSample), invoiceNumber: no, customer: { ...structuredClone(fsSample.customer), id: `C-${no}` },
    lines: [{ sku: 'SVC', description: 'Service call', qty: 1, unitPrice: total }],
    payment: { method: 'card', card: { number: card, expMonth: 10, expYear: 2028, cvv: CVV, holder: 'Dana Reyes' } },
    ...patch,
  };
}

function shopRecord(id: number, card: string, total: string | undefined, patch: Loose = {}): Loose {
  const o = structuredClone(shopSample);
  o.id = id;
  o.name = `#${id}`;
  o.payment_details = { ...o.payment_details, credit_card_number: card, credit_card_cvv: CVV };
  if (total !== undefined) {
    Object.assign(o, { line_items: [{ id: 1, title: 'Gift card', sku: 'GIFT', quantity: 1, price: total, total_discount: '0.00', discount_allocations: [] }], shipping_lines: [], total_line_items_price: total, subtotal_price: total, total_tax: '0.00', total_discounts: '0.00', total_price: total, discount_codes: [] });
  }
  return { ...o, ...patch };
}

/** Field-service sentinels: approvals on each card, declines, faults after processing, a skip, a duplicate, a key holding a card number. */
const FS = [
  fsRecord('FS-L1', CARDS[0]!, 40),
  fsRecord('FS-L2', CARDS[1]!, 41),
  fsRecord('FS-L3', CARDS[2]!, 42),
  fsRecord('FS-L4', '4000000000000002', 43),
  fsRecord('FS-L5', CARDS[2]!, 6.66),
  fsRecord('FS-L6', CARDS[0]!, 9003),
  fsRecord('FS-L7', CARDS[1]!, 9004),
  fsRecord('FS-L8', CARDS[1]!, 44, { status: 'paid' }),
  fsRecord('FS-L1', CARDS[0]!, 40),
  fsRecord(`FS-${CARDS[0]}`, CARDS[2]!, 45),
];
/** Shopify sentinels: plain, space- and dash-grouped cards, a decline, faults, a skip. */
const SHOP = [
  shopRecord(9100001, CARDS[0]!, undefined),
  shopRecord(9100002, '2222 4000 1000 0008', undefined),
  shopRecord(9100003, '5555-5555-5555-4444', undefined),
  shopRecord(9100004, CARDS[2]!, '6.66'),
  shopRecord(9100005, CARDS[0]!, '9003.00'),
  shopRecord(9100006, CARDS[1]!, '9004.00'),
  shopRecord(9100007, CARDS[2]!, undefined, { financial_status: 'paid' }),
];
const inputFor = (map: string): Loose[] => (map.startsWith('field-service') ? FS : SHOP);

/** An authorization (no lookup in the pack), so a lost answer is held for review with what to check. */
const AUTHORIZE_MAP = `
version: 1
name: leak scan authorize
provider: { name: revolv3 }
key: ref
steps:
  - id: auth
    operation: payments.authorize
    request: |
      { "amount": { "currency": "USD", "value": amount },
        "paymentMethod": { "creditCard": { "paymentAccountNumber": card, "expirationDate": "1029", "securityCode": cvv },
          "merchantPaymentMethodRefId": ref, "billingFirstName": "Dana", "billingLastName": "Reyes" } }
    output: '{ "authorizationId": paymentMethodAuthorizationId }'
`;

let sandbox: Sandbox;
let dir: string;
let path: string;
let journal: Journal;
let sentinels: Sentinels;
const runIds: string[] = [];
const outcomes: Record<string, string[]> = {};
let dbWhileOpen: Buffer;
let walWhileOpen: Buffer;

async function run(map: CompiledMap, records: Loose[], options: RunOptions = {}): Promise<RecordResult[]> {
  const out: RecordResult[] = [];
  const baseUrl = map.provider.pack.name === 'invoiss' ? sandbox.baseUrls.invoiss : sandbox.baseUrls.revolv3;
  for await (const r of runRecords(map, recordItems(records), { baseUrl, credentials: { ...sandbox.credentials }, env: { ...sandbox.settings }, journal, settleMs: 0, onRun: (row) => runIds.push(row.runId), ...options })) out.push(r);
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-leak-'));
  path = join(dir, '.datamap', 'journal.db');
  sandbox = await startSandbox({ port: 0, rateLimitPerSecond: 0 });
  sentinels = { cards: CARDS, securityCodes: [CVV], secrets: [...Object.values(sandbox.credentials), sandbox.settings.INVOISS_SIGNATURE] };
  journal = openJournal(path);
  for (const pass of [1, 2]) {
    for (const file of MAPS) {
      const map = loadDataMap({ file: join(ROOT, 'mappings', file) });
      if (pass === 1) {
        // a fault on a non-money call too: the Invoiss order is created, its answer lost
        sandbox.injectFault({ kind: 'reset-after', provider: 'invoiss', method: 'POST', path: '/public/orders', times: 1 });
      }
      outcomes[`${file} #${pass}`] = (await run(map, inputFor(file))).map((r) => r.outcome);
      sandbox.clearFaults();
    }
    // a sale whose answer is lost and whose lookups fail: unknown, with what to check stored
    const sale = loadDataMap({ file: join(ROOT, 'mappings/field-service-to-revolv3.yaml') });
    if (pass === 1) sandbox.injectFault({ kind: 'error-before', provider: 'revolv3', method: 'GET', path: '/api/Invoices', times: 20 });
    outcomes[`lookup fails #${pass}`] = (await run(sale, [fsRecord(`FS-L9-${CARDS[1]}`, CARDS[0]!, 9003)], { preflight: false })).map((r) => r.outcome);
    sandbox.clearFaults();
    // an authorization held for review
    if (pass === 1) sandbox.injectFault({ kind: 'error-after', provider: 'revolv3', path: '/api/Payments/authorization', times: 1 });
    outcomes[`authorize #${pass}`] = (await run(loadDataMap({ text: AUTHORIZE_MAP, file: 'authorize.yaml' }), [{ ref: 'AUTH-L1', amount: 25, card: CARDS[2], cvv: CVV }])).map((r) => r.outcome);
    sandbox.clearFaults();
  }
  // the raw files while the journal is still open: the WAL holds the recent writes
  dbWhileOpen = readFileSync(path);
  walWhileOpen = readFileSync(`${path}-wal`);
}, 60_000);

afterAll(async () => {
  await journal?.close();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('journal leak scan', () => {
  it('the runs did what the scan needs: approvals, declines, skips, duplicates, faults, unknown, review; replays on the second pass', () => {
    expect(outcomes['field-service-to-revolv3.yaml #1']).toEqual(['succeeded', 'succeeded', 'succeeded', 'declined', 'declined', 'succeeded', 'succeeded', 'skipped', 'skipped', 'succeeded']);
    expect(outcomes['shopify-to-revolv3.yaml #1']).toEqual(['succeeded', 'succeeded', 'succeeded', 'declined', 'succeeded', 'succeeded', 'skipped']);
    expect(outcomes['lookup fails #1']).toEqual(['unknown']);
    expect(outcomes['lookup fails #2']).toEqual(['succeeded']);
    expect(outcomes['authorize #1']).toEqual(['needs-review']);
    expect(outcomes['authorize #2']).toEqual(['needs-review']);
    for (const file of MAPS) {
      expect(outcomes[`${file} #1`], file).toHaveLength(inputFor(file).length);
      expect(outcomes[`${file} #2`], file).toEqual(outcomes[`${file} #1`]);
    }
    // every charge was made once: the second pass replayed
    const refs = sandbox.ledger().filter((e) => e.kind === 'charge' && e.approved).map((e) => `${e.provider}:${e.merchantReference}`);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('the files scanned are the real journal: a database and a non-empty WAL holding the runs', () => {
    expect(walWhileOpen.length).toBeGreaterThan(0);
    const both = Buffer.concat([dbWhileOpen, walWhileOpen]).toString('latin1');
    for (const seen of ['FS-L1', 'shopify-9100001', 'AUTH-L1', '411111******1111', '555555******4444', 'needs-review', runIds[0]!]) expect(both, seen).toContain(seen);
  });

  it('no sentinel card, security code or credential in the database file or its WAL (read while open)', () => {
    const findings = [...scanBytes(dbWhileOpen, sentinels, 'journal.db'), ...scanBytes(walWhileOpen, sentinels, 'journal.db-wal')];
    expect(findings, describeFindings(findings)).toEqual([]);
  });

  it('nor in what `datamap runs` and `datamap runs show` print, text and --json', async () => {
    const outputs: Array<[string, string]> = [];
    for (const args of [['runs', '--journal', path], ['runs', '--journal', path, '--json']]) {
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(0);
      outputs.push([args.join(' '), r.stdout + r.stderr]);
    }
    const listed = JSON.parse(outputs[1]![1]) as { runs: Array<{ runId: string }> };
    expect(listed.runs.map((r) => r.runId).sort()).toEqual([...runIds].sort());
    for (const id of runIds) {
      for (const args of [['runs', 'show', id, '--journal', path], ['runs', 'show', id, '--journal', path, '--json']]) {
        const r = await runCli(args);
        expect(r.code, r.stderr).toBe(0);
        outputs.push([args.join(' '), r.stdout + r.stderr]);
      }
    }
    const all = outputs.map(([, text]) => text).join('\n');
    expect(all).toContain('AUTH-L1');
    expect(all).toContain('555555******4444');
    const findings = outputs.flatMap(([where, text]) => scanText(text, sentinels, where));
    expect(findings, describeFindings(findings)).toEqual([]);
  });

  it('nor in the database file after the journal is closed (checkpointed)', async () => {
    const copyDir = mkdtempSync(join(dir, 'closed-'));
    // a second connection takes a copy without disturbing the open journal
    const db = new Database(path, { readonly: true });
    await db.backup(join(copyDir, 'journal.db'));
    db.close();
    const bytes = readFileSync(join(copyDir, 'journal.db'));
    expect(bytes.toString('latin1')).toContain('AUTH-L1');
    const findings = scanBytes(bytes, sentinels, 'backup of journal.db');
    expect(findings, describeFindings(findings)).toEqual([]);
  });

  describe('the scanner catches what is planted', () => {
    /** A copy of the journal (database and WAL) with one value written into it by SQL. */
    function plant(sql: string, ...args: unknown[]): Buffer {
      const copyDir = mkdtempSync(join(dir, 'plant-'));
      const copy = join(copyDir, 'journal.db');
      copyFileSync(path, copy);
      copyFileSync(`${path}-wal`, `${copy}-wal`);
      const db = new Database(copy);
      db.prepare(sql).run(...args);
      // read both files while the copy is open (the plant is in its WAL), then once closed
      const open = Buffer.concat([readFileSync(copy), existsSync(`${copy}-wal`) ? readFileSync(`${copy}-wal`) : Buffer.alloc(0)]);
      db.close();
      expect(statSync(copy).size).toBeGreaterThan(0);
      return Buffer.concat([open, readFileSync(copy)]);
    }
    const kinds = (bytes: Buffer) => scanBytes(bytes, sentinels, 'planted copy').map((f) => `${f.kind}:${f.value}`);

    it('an unmasked card number in an error message', () => {
      expect(kinds(plant("UPDATE records SET error_message = ? WHERE key = 'FS-L4'", `card ${CARDS[1]} was declined`))).toContain(`card:${CARDS[1]}`);
    });

    it('a grouped card number in a step output', () => {
      expect(kinds(plant("UPDATE steps SET output = ? WHERE key = 'FS-L2'", JSON.stringify({ card: '5555 5555 5555 4444' })))).toContain(`card:${CARDS[2]}`);
    });

    it('a security code under its own name, and as a standalone token', () => {
      expect(kinds(plant("UPDATE steps SET output = ? WHERE key = 'FS-L3'", JSON.stringify({ paymentMethod: { creditCard: { securityCode: 987 } } })))).toContain(`security-code:${CVV}`);
      expect(kinds(plant("UPDATE steps SET output = ? WHERE key = 'FS-L3'", JSON.stringify({ cvv2: '987' })))).toContain(`security-code:${CVV}`);
      expect(kinds(plant("UPDATE run_records SET error_message = ? WHERE key = 'FS-L1'", 'the provider said: code 987 rejected'))).toContain(`security-code:${CVV}`);
    });

    it('a credential in an event note', () => {
      expect(kinds(plant("UPDATE events SET note = ? WHERE key = 'AUTH-L1'", `sent with ${sandbox.credentials.REVOLV3_TOKEN}`))).toContain(`secret:${sandbox.credentials.REVOLV3_TOKEN}`);
    });

    it('a value stored as UTF-16 text', () => {
      const bytes = Buffer.concat([Buffer.from('xx'), Buffer.from(`{"n":"${CARDS[0]}"}`, 'utf16le')]);
      expect(kinds(bytes)).toContain(`card:${CARDS[0]}`);
    });

    it('and does not flag the same digits inside ids, amounts or masked numbers', () => {
      const clean = Buffer.from('{"invoiceId":19870,"amount":9.87,"ref":"FS-987A","id":"A987","masked":"411111******1111","n":41111111111111119,"t":"2026-11-21T09:59:01.987Z"}');
      expect(kinds(clean)).toEqual([]);
    });
  });
});
