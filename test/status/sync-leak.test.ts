/**
 * `runs sync` against a hostile provider: the lookup of a call that never answered echoes the
 * card number, the security code (under its own names), the API token and an Authorization
 * header, in its status, its message and its fields. Nothing of it reaches the sync's text, its
 * --json, the journal's rows or the journal file's bytes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataMap, openJournal, recordItems, runRecords } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { describeFindings, scanBytes, scanText, type Sentinels } from '../journal/leak-scanner.js';

const CARD = '4111111111111111';
const CVV = '737';
const TOKEN = 'tok-live-9f8e7d6c5b4a39281706';
const SENTINELS: Sentinels = { cards: [CARD], securityCodes: [CVV], secrets: [TOKEN] };

const MAP = `
version: 1
name: sync leak
provider: { name: revolv3 }
key: ref
steps:
  - id: sale
    operation: payments.sale
    request: |
      { "invoice": { "merchantInvoiceRefId": ref, "amount": { "currency": "USD", "value": 20 } },
        "paymentMethod": {
          "billingFirstName": "Dana", "billingLastName": "Reyes",
          "billingAddress": { "addressLine1": "1 Main St", "postalCode": "92701", "country": "US" },
          "creditCard": { "paymentAccountNumber": "${CARD}", "expirationDate": "1230", "securityCode": "${CVV}" } } }
    output: '{ "invoiceId": invoiceId, "status": invoiceStatus, "message": message, "echo": paymentMethod }'
`;

let dir: string;
let server: Server;
let baseUrl: string;
let mode: 'down' | 'hostile' = 'down';

/** What a hostile Revolv3 answers to the invoice search: every secret echoed back. */
function echo(ref: string): unknown {
  return [{
    invoiceId: 9001, merchantInvoiceRefId: ref,
    invoiceStatus: ref === 'L-ODD' ? `${CARD} ${TOKEN}` : 'Paid',
    message: `Approved for card ${CARD}, token ${TOKEN}, Authorization: Bearer ${TOKEN}`,
    paymentMethod: { creditCard: { paymentAccountNumber: CARD, securityCode: CVV, cvv: CVV }, token: TOKEN },
  }];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-sync-leak-'));
  writeFileSync(join(dir, 'map.yaml'), MAP);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (mode === 'down' || req.method !== 'GET') {
      res.statusCode = 500;
      res.end(JSON.stringify({ message: `down; you sent ${CARD}` }));
      return;
    }
    res.end(JSON.stringify(echo(url.searchParams.get('merchantInvoiceRefId') ?? '')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('runs sync over a hostile provider', () => {
  it('shows and stores no card number, security code or token', async () => {
    const journalFile = join(dir, 'journal.db');
    const map = loadDataMap({ file: join(dir, 'map.yaml') });
    // the sales answer 500 and their lookups fail: both records stay unknown
    const journal = openJournal(journalFile);
    const outcomes: string[] = [];
    try {
      for await (const r of runRecords(map, recordItems([{ ref: 'L-OK' }, { ref: 'L-ODD' }]), { baseUrl, credentials: { REVOLV3_TOKEN: TOKEN }, env: {}, journal, settleMs: 0, preflight: false, timeoutMs: 1000 })) outcomes.push(r.outcome);
    } finally {
      await journal.close();
    }
    expect(outcomes).toEqual(['unknown', 'unknown']);

    mode = 'hostile';
    const env = { REVOLV3_TOKEN: TOKEN };
    const text = await runCli(['runs', 'sync', '--journal', journalFile, '--map', join(dir, 'map.yaml'), '--base-url', baseUrl], { env, cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/CHANGED {4}L-OK\/sale \(payments\.sale\): unknown → succeeded/);
    expect(text.stdout).toMatch(/CHANGED {4}L-ODD\/sale \(payments\.sale\): unknown → needs-review/);
    const json = await runCli(['runs', 'sync', '--journal', journalFile, '--map', join(dir, 'map.yaml'), '--base-url', baseUrl, '--json'], { env, cwd: dir });
    const shows = await runCli(['runs', '--journal', journalFile, '--json'], { env, cwd: dir });
    const j2 = openJournal(journalFile);
    let rows = '';
    try {
      for (const key of ['L-OK', 'L-ODD']) rows += JSON.stringify(await j2.store.getRecord('sync leak', key)) + JSON.stringify(await j2.store.listEvents('sync leak', key));
      const runId = (await j2.store.listRuns()).find((r) => r.input !== '(runs sync)')!.runId;
      rows += JSON.stringify(await j2.showRun(runId));
    } finally {
      await j2.close();
    }
    const findings = [
      ...scanText(text.stdout + text.stderr, SENTINELS, 'runs sync text'),
      ...scanText(json.stdout + json.stderr, SENTINELS, 'runs sync --json'),
      ...scanText(shows.stdout, SENTINELS, 'runs --json'),
      ...scanText(rows, SENTINELS, 'journal rows'),
      ...readdirSync(dir).filter((f) => f.startsWith('journal.db')).flatMap((f) => scanBytes(readFileSync(join(dir, f)), SENTINELS, f)),
    ];
    expect(findings, describeFindings(findings)).toEqual([]);
    // what was adopted is there, masked
    expect(rows).toContain('411111******1111');
    expect(rows).toContain('"invoiceId":9001');
  });
});
