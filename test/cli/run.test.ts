/**
 * `datamap run` in-process: a line per record (key, outcome, masked card), the summary, --json
 * NDJSON, --output results file, exit codes (0 all succeeded/skipped, 1 otherwise, 2 missing
 * credential). Then a scanner over everything a run emits: no card number, no security code,
 * no token or client secret.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { findCardNumbers, loadDataMap, recordItems, runRecords, type RecordResult } from '../../src/index.js';
import { api, fakeClock, netError, paid, resetNock, REVOLV3, REVOLV3_SALE_FILE, SAMPLES_FILE, samples, type Loose, type Seen } from '../executor/helpers.js';

let dir: string;
beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-run-'));
});
afterEach(() => {
  resetNock();
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => nock.enableNetConnect());

/** The CLI in-process, by default with a Revolv3 token in its environment. */
// --no-preflight: these cases count every call (the guard has its own suite)
const cli = (args: string[], env: Record<string, string | undefined> = { REVOLV3_TOKEN: 'tok_test' }): Promise<CliResult> => runCli(args[0] === 'run' ? [...args, '--no-preflight', '--settle-window', '0', '--concurrency', '1'] : args, { env });

const declined = (invoiceId: number, ref: string): Loose => ({
  ...paid(invoiceId, ref, 'Noncollectable'),
  message: 'Do Not Honor',
  paymentMethodCreditCardDetails: { binNumber: '400000', paymentLast4Digit: '0002' },
});

describe('datamap run', () => {
  it('prints a line per record (key, outcome, ids, masked card) and a summary; a decline makes exit 1', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-10042').reply(200, paid(1001, 'FS-10042'))
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-10043').reply(200, declined(1002, 'FS-10043'));

    const r = await cli(['run', REVOLV3_SALE_FILE, '--input', SAMPLES_FILE]);

    expect(nock.isDone()).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Running field-service invoices to Revolv3 sale — Revolv3, sandbox \(run r-[a-z0-9]+-[0-9a-f]{6}, journal .*journal\.db\)$/);
    expect(lines[1]).toBe('SUCCEEDED FS-10042  sale.invoiceId=1001 sale.paymentMethodId=9001  card 411111******1111  [sale:succeeded]');
    expect(lines[2]).toBe('DECLINED  FS-10043  card 400000******0002  [sale:declined]');
    expect(lines[3]).toBe('          provider/declined: Do Not Honor');
    expect(lines[4]).toBe('SKIPPED   FS-10044  [sale:skipped]');
    expect(r.stdout.endsWith('\n3 records: 1 succeeded, 1 declined, 1 skipped\n')).toBe(true);
    expect(seen.map((s) => s.headers['x-revolv3-token'])).toEqual(['tok_test', 'tok_test']);
  });

  it('exit 0 when every record succeeded or was skipped', async () => {
    api(REVOLV3, []).post('/api/Payments/sale').times(2).reply(200, (_u: string, b: Loose) => paid(1000, b.invoice.merchantInvoiceRefId));
    const r = await cli(['run', REVOLV3_SALE_FILE, '--input', SAMPLES_FILE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\n3 records: 2 succeeded, 1 skipped\n');
  });

  it('exit 3 when a record is held for review (a 500 whose lookup cannot tell), with the reasons under the lines', async () => {
    api(REVOLV3, [])
      .post('/api/Payments/sale').reply(400, { message: 'Validation failed', errors: ['Invoice.Amount.Value is invalid'] })
      .post('/api/Payments/sale').reply(500, { message: 'Internal Server Error' })
      .get('/api/Invoices').query(true).reply(403, { message: 'Forbidden' });
    const r = await cli(['run', REVOLV3_SALE_FILE, '--input', SAMPLES_FILE]);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stdout).toContain('FAILED    FS-10042');
    expect(r.stdout).toContain('          provider/rejected: Revolv3 answered HTTP 400: Validation failed\n            - Invoice.Amount.Value is invalid\n');
    expect(r.stdout).toMatch(/NEEDS-REVIEW FS-10043 .*\[sale:needs-review\(cannot-tell\)\]/);
    expect(r.stdout).toContain('run/needs-review');
    expect(r.stdout).toContain('check at the provider: key=FS-10043, merchantInvoiceRefId=FS-10043, amount ');
    expect(r.stdout).toContain('3 records: 1 failed, 1 needs-review, 1 skipped');
  });

  it('--json prints NDJSON: one result per record, then a summary line', async () => {
    api(REVOLV3, [])
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'))
      .post('/api/Payments/sale').reply(200, declined(1002, 'FS-10043'));
    const r = await cli(['run', REVOLV3_SALE_FILE, '--input', SAMPLES_FILE, '--json']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Loose);
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).map((l) => [l.index, l.key, l.outcome, l.card])).toEqual([
      [0, 'FS-10042', 'succeeded', '411111******1111'],
      [1, 'FS-10043', 'declined', '400000******0002'],
      [2, 'FS-10044', 'skipped', undefined],
    ]);
    expect(lines[0].ids).toEqual({ 'sale.invoiceId': 1001, 'sale.paymentMethodId': 9001 });
    expect(lines[3]).toMatchObject({ summary: { total: 3, succeeded: 1, declined: 1, pending: 0, failed: 0, unknown: 0, 'needs-review': 0, skipped: 1, replayed: 0, interrupted: false } });
  });

  it('--output writes each result as NDJSON to the file as well', async () => {
    api(REVOLV3, []).post('/api/Payments/sale').times(2).reply(200, (_u: string, b: Loose) => paid(b.invoice.merchantInvoiceRefId === 'FS-10042' ? 1001 : 1002, b.invoice.merchantInvoiceRefId));
    const file = join(dir, 'results.ndjson');
    const r = await cli(['run', REVOLV3_SALE_FILE, '--input', SAMPLES_FILE, '--output', file]);
    expect(r.code).toBe(0);
    const rows = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as RecordResult);
    expect(rows.map((x) => [x.key, x.outcome, x.ids['sale.invoiceId']])).toEqual([['FS-10042', 'succeeded', 1001], ['FS-10043', 'succeeded', 1002], ['FS-10044', 'skipped', undefined]]);
    expect(rows[0]!.steps[0]!.request!.headers['x-revolv3-token']).toBe('[redacted]');
    expect(r.stdout).toContain('SUCCEEDED FS-10042'); // the text output is still printed
  });

  it('exit 2 with a missing credential: the variable is named and nothing is sent', async () => {
    const seen: Seen[] = [];
    const scope = api(REVOLV3, seen).post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
    const r = await cli(['run', REVOLV3_SALE_FILE, '--input', SAMPLES_FILE], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('auth/missing-credential');
    expect(r.stderr).toContain('REVOLV3_TOKEN');
    expect(seen).toEqual([]);
    expect(scope.isDone()).toBe(false);
  });

  it('--base-url sends every call to that URL', async () => {
    const seen: Seen[] = [];
    api('http://127.0.0.1:4599', seen).post('/api/Payments/sale').times(2).reply(200, (_u: string, b: Loose) => paid(1, b.invoice.merchantInvoiceRefId));
    const r = await cli(['run', REVOLV3_SALE_FILE, '--input', SAMPLES_FILE, '--base-url', 'http://127.0.0.1:4599']);
    expect(r.code).toBe(0);
    expect(seen).toHaveLength(2);
    expect(r.stdout.split('\n')[0]).toMatch(/^Running field-service invoices to Revolv3 sale — Revolv3, http:\/\/127\.0\.0\.1:4599 \(run /);
  });
});

describe('scanner: nothing a run emits holds a card number, a security code, a token or a secret', () => {
  const CVVS = ['7391', '8264', '5180', '6047', '9153', '3728', '4619'];
  const CLIENT_SECRET = 'sec_Zq81_kept_private';
  const SECRETS = ['tok_test', 'Bearer tok_test', CLIENT_SECRET, 'acc_first_token_value', 'acc_second_token_value'];

  /** Records with their own security codes: paid, declined, skipped, payload-invalid, 400 echoing the card, unknown, 401 echoing the token. */
  function records(): Loose[] {
    const [a, b, c] = samples();
    const bad = structuredClone(a);
    bad.invoiceNumber = 'FS-BAD';
    bad.customer.address.state = 'California';
    const echo = structuredClone(b);
    echo.invoiceNumber = 'FS-ECHO';
    echo.payment.card.number = '5555555555554444';
    const lost = structuredClone(a);
    lost.invoiceNumber = 'FS-LOST';
    lost.payment.card.number = '378282246310005';
    const auth = structuredClone(b);
    auth.invoiceNumber = 'FS-AUTH';
    return [a, b, c, bad, echo, lost, auth].map((r, i) => ({ ...r, payment: { ...r.payment, card: { ...r.payment.card, cvv: CVVS[i] } } }));
  }

  /** Provider answers for those records, some echoing what they should not. */
  function provider(seen: Seen[]): void {
    api(REVOLV3, seen)
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-10042').reply(200, paid(1001, 'FS-10042'))
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-10043').reply(200, declined(1002, 'FS-10043'))
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-ECHO')
      .reply(400, { message: 'Card 5555555555554444 was rejected', errors: ['paymentAccountNumber 5555 5555 5555 4444 is not allowed for this merchant'], paymentAccountNumber: '5555555555554444' })
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-LOST').replyWithError(netError('ECONNABORTED', 'timeout of 2000ms exceeded'))
      .get('/api/Invoices').query({ merchantInvoiceRefId: 'FS-LOST' }).reply(403, { message: 'lookup not allowed' })
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-AUTH').reply(401, { message: 'Invalid x-revolv3-token tok_test', errors: ['token tok_test is not active'] });
  }

  function scan(label: string, text: string, cards: string[]): void {
    expect(text.length, label).toBeGreaterThan(0);
    expect(findCardNumbers(text), `${label}: card numbers`).toEqual([]);
    for (const card of cards) expect(text, `${label}: ${card}`).not.toContain(card);
    for (const cvv of CVVS) expect(text, `${label}: security code ${cvv}`).not.toMatch(new RegExp(`(?<!\\d)${cvv}(?!\\d)`));
    for (const secret of SECRETS) expect(text, `${label}: ${secret}`).not.toContain(secret);
  }

  it('CLI text output, the --output file and --json output', async () => {
    const input = join(dir, 'records.json');
    const recs = records();
    writeFileSync(input, JSON.stringify(recs));
    const cards = recs.map((r) => r.payment.card.number as string);
    const resultsFile = join(dir, 'results.ndjson');

    const seen: Seen[] = [];
    provider(seen);
    const text = await cli(['run', REVOLV3_SALE_FILE, '--input', input, '--output', resultsFile]);
    expect(nock.pendingMocks(), text.stdout).toEqual([]);
    expect(text.code).toBe(3);
    // the run really carried the card data it must not show
    expect(seen.some((s) => s.body?.paymentMethod?.creditCard?.securityCode === '7391')).toBe(true);
    expect(text.stdout).toContain('card 411111******1111');
    expect(text.stdout).toContain('FS-BAD');
    expect(text.stdout).toContain('NEEDS-REVIEW FS-LOST');
    scan('text stdout', text.stdout, cards);
    scan('text stderr', text.stderr || '-', cards);
    scan('--output file', readFileSync(resultsFile, 'utf8'), cards);

    resetNock();
    provider([]);
    const json = await cli(['run', REVOLV3_SALE_FILE, '--input', input, '--json']);
    expect(json.code).toBe(3);
    scan('--json stdout', json.stdout, cards);
    const outcomes = json.stdout.trimEnd().split('\n').slice(0, -1).map((l) => (JSON.parse(l) as RecordResult).outcome);
    expect(outcomes).toEqual(['succeeded', 'declined', 'skipped', 'failed', 'failed', 'needs-review', 'failed']);
  });

  it('every RecordResult of a run, with the static token and with client credentials (re-auth after 401)', async () => {
    const recs = records();
    const cards = recs.map((r) => r.payment.card.number as string);
    const results: RecordResult[] = [];

    provider([]);
    for await (const r of runRecords(loadDataMap({ file: REVOLV3_SALE_FILE }), recordItems(recs), { credentials: { REVOLV3_TOKEN: 'tok_test' }, env: {}, clock: fakeClock(), random: () => 0.5, preflight: false, settleMs: 0 })) results.push(r);
    expect(nock.isDone()).toBe(true);

    resetNock();
    const ccMap = loadDataMap({ text: readFileSync(REVOLV3_SALE_FILE, 'utf8').replace(/provider:\n {2}name: revolv3\n/, 'provider:\n  name: revolv3\n  auth: client-credentials\n'), file: join(dir, 'cc.yaml') });
    expect(ccMap.provider.auth).toBe('client-credentials');
    let n = 0;
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Authentication/token').times(2).reply(200, () => ({ access_token: ++n === 1 ? 'acc_first_token_value' : 'acc_second_token_value', expires_in: 3600 }))
      .post('/api/Payments/sale').reply(401, { message: 'Unauthorized' })
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
    for await (const r of runRecords(ccMap, recordItems(recs.slice(0, 1)), { credentials: { REVOLV3_CLIENT_ID: 'client_abc', REVOLV3_CLIENT_SECRET: CLIENT_SECRET }, env: {}, clock: fakeClock(), preflight: false, settleMs: 0 })) results.push(r);
    expect(nock.isDone()).toBe(true);
    expect(seen.filter((s) => s.path === '/api/Payments/sale').map((s) => s.headers.authorization)).toEqual(['Bearer acc_first_token_value', 'Bearer acc_second_token_value']);
    expect(results.at(-1)!.outcome).toBe('succeeded');

    // a token endpoint that echoes the secret it was sent
    resetNock();
    api(REVOLV3, []).post('/api/Authentication/token').reply(400, { message: `clientSecret ${CLIENT_SECRET} is not valid for client_abc`, errors: [`bad secret ${CLIENT_SECRET}`] });
    for await (const r of runRecords(ccMap, recordItems(recs.slice(0, 1)), { credentials: { REVOLV3_CLIENT_ID: 'client_abc', REVOLV3_CLIENT_SECRET: CLIENT_SECRET }, env: {}, clock: fakeClock(), preflight: false, settleMs: 0 })) results.push(r);
    expect(nock.isDone()).toBe(true);
    expect(results.at(-1)!.error!.code).toBe('auth/failed');
    // the echoes were there and were hidden, not merely absent
    expect(results.at(-1)!.error!.message).toBe('Token exchange failed: Revolv3 answered HTTP 400: clientSecret [redacted] is not valid for [redacted]'); // the client id is a credential too
    expect(results.find((r) => r.key === 'FS-AUTH')!.error).toMatchObject({ code: 'auth/failed', providerMessage: 'Invalid x-revolv3-token [redacted]', details: ['token [redacted] is not active'] });

    expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'declined', 'skipped', 'failed', 'failed', 'needs-review', 'failed', 'succeeded', 'failed']);
    for (const r of results) scan(`result ${r.key ?? r.index}`, JSON.stringify(r), cards);
  });
});
