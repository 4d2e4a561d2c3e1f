/**
 * The leak corpus: sentinel cards and a security code in records with renamed fields, a local
 * server that echoes every request back in 200/400/500/502 answers as JSON, text and HTML,
 * expressions (`let`, `when`, `output`, `result`) that fail on values holding them, a base URL
 * with user info and a token credential; every command (validate, plan, run, test, explain,
 * demo, runs, runs sync, webhooks serve) in text, --json and --output, the journal files, and what the
 * webhook server answers and prints for hostile signed deliveries, scanned: zero hits.
 *
 * The scanner is proven first: it must flag the planted values, in the raw records and in what
 * the echo server received (so the corpus really sent them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCardNumbers, getProvider, webhookSignature } from '../../src/index.js';
import { spawnCli } from '../helpers/spawn-cli.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startEchoServer, type EchoServer } from '../helpers/echo-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const MAP = join(here, 'fixtures/leaky.yaml');
const TESTS = join(here, 'fixtures/leaky.test.yaml');
const RECORDS = join(here, 'fixtures/records.ndjson');
const CARDS = ['4111111111111111', '2222400010000008', '5555555555554444'];
const CODE = '987';
const TOKEN = 'tok_leak_c4f1e8b2';
const URL_PASSWORD = 'pa55w0rd-leak';
const WEBHOOK_KEY = 'whk_leak_7d1e09aa';

/** Every hit of a sentinel in `text`: a card (exact, grouped, or any Luhn-valid run), the security code standing alone, a credential. */
function scan(text: string): string[] {
  const hits: string[] = [];
  const around = (i: number, n: number) => JSON.stringify(text.slice(Math.max(0, i - 40), i + n + 40));
  for (const card of CARDS) {
    const grouped = new RegExp(card.split('').join('[ -]?'), 'g');
    for (const m of text.matchAll(grouped)) hits.push(`card ${card} at ${m.index}: ${around(m.index, m[0].length)}`);
  }
  for (const pan of findCardNumbers(text)) hits.push(`Luhn-valid ${pan}`);
  // the code as a value of its own (not inside ids, ports, amounts or masked cards)
  for (const m of text.matchAll(/(?<![0-9A-Za-z_.*])987(?![0-9A-Za-z_*]|\.[0-9])/g)) hits.push(`code ${CODE} at ${m.index}: ${around(m.index, 3)}`);
  for (const secret of [TOKEN, URL_PASSWORD, WEBHOOK_KEY, Buffer.from(`leak:${URL_PASSWORD}`).toString('base64')]) {
    let i = text.indexOf(secret);
    while (i !== -1) { hits.push(`secret at ${i}: ${around(i, secret.length)}`); i = text.indexOf(secret, i + 1); }
  }
  return hits;
}

/** Text of every file under `dir` (binary files such as the SQLite journal read as latin1). */
function filesText(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesText(p));
    else out.push({ file: p, text: readFileSync(p).toString('latin1') + '\n' + readFileSync(p).toString('utf8') });
  }
  return out;
}

type Shown = { what: string; text: string };

let echo: EchoServer;
let work: string;
const shown: Shown[] = [];
const ENV = { REVOLV3_TOKEN: TOKEN };

async function cli(what: string, argv: string[], cwd = work): Promise<CliResult> {
  const r = await runCli(argv, { env: ENV, cwd, now: () => Date.parse('2026-11-21T00:00:00Z') });
  shown.push({ what: `${what} (stdout)`, text: r.stdout }, { what: `${what} (stderr)`, text: r.stderr });
  return r;
}

beforeAll(async () => {
  echo = await startEchoServer();
  work = mkdtempSync(join(tmpdir(), 'datamap-leak-'));
}, 60_000);

afterAll(async () => {
  await echo.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the scanner', () => {
  it('flags planted values: each card (plain and grouped), a Luhn-valid number, the code standing alone, the credentials', () => {
    expect(scan('x 4111111111111111 y')).not.toEqual([]);
    expect(scan('2222 4000 1000 0008')).not.toEqual([]);
    expect(scan('5555-5555-5555-4444')).not.toEqual([]);
    expect(scan('card 4012888888881881')).not.toEqual([]);
    expect(scan('{"securityCode":"987"}')).not.toEqual([]);
    expect(scan('Unable to cast "4111 cvv 987"')).not.toEqual([]);
    expect(scan(`x-revolv3-token: ${TOKEN}`)).not.toEqual([]);
    expect(scan(`http://leak:${URL_PASSWORD}@host`)).not.toEqual([]);
  });

  it('does not flag masked cards or the digits inside ids, ports and amounts', () => {
    expect(scan('411111******1111 222240******0008 555555******4444 [redacted] FS-1987 127.0.0.1:39870 987.50 x9870')).toEqual([]);
  });

  it('flags the raw records (they hold every sentinel)', () => {
    const raw = readFileSync(RECORDS, 'utf8');
    const hits = scan(raw);
    for (const card of CARDS) expect(hits.some((h) => h.includes(card))).toBe(true);
    expect(hits.some((h) => h.startsWith('code'))).toBe(true);
  });
});

describe('every command, every format, the journal', () => {
  beforeAll(async () => {
    const base = echo.url.replace('http://', `http://leak:${URL_PASSWORD}@`);
    const run = ['run', MAP, '--input', RECORDS, '--base-url', base, '--settle-window', '0'];
    await cli('validate', ['validate', MAP]);
    await cli('validate --json', ['validate', '--json', MAP]);
    await cli('plan', ['plan', MAP, '--input', RECORDS]);
    await cli('plan --json', ['plan', MAP, '--input', RECORDS, '--json']);
    await cli('run', [...run, '--no-preflight', '--output', join(work, 'results-text.ndjson')]);
    await cli('run --json', [...run, '--no-preflight', '--json', '--journal', join(work, 'second/journal.db'), '--output', join(work, 'results-json.ndjson')]);
    // with the pre-flight lookup (answered by the echo server too) and again over the same journal (replay)
    await cli('run (pre-flight)', [...run, '--journal', join(work, 'third/journal.db')]);
    await cli('run (replay)', [...run, '--journal', join(work, 'third/journal.db'), '--json']);
    const runs = await cli('runs', ['runs']);
    await cli('runs --json', ['runs', '--json']);
    const ids = [...new Set([...runs.stdout.matchAll(/\br-[0-9a-z]+-[0-9a-f]+\b/g)].map((m) => m[0]))];
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      await cli(`runs show ${id}`, ['runs', 'show', id]);
      await cli(`runs show ${id} --json`, ['runs', 'show', id, '--json']);
    }
    // status sync over the journals (its lookups go to the echo server, which echoes the card back)
    await cli('runs sync', ['runs', 'sync', '--journal', join(work, 'third/journal.db'), '--base-url', base]);
    await cli('runs sync --json', ['runs', 'sync', '--journal', join(work, 'second/journal.db'), '--base-url', base, '--json']);
    await cli('test', ['test', TESTS]);
    await cli('test --json', ['test', TESTS, '--json']);
    for (const n of ['1', '10', '11', '13', '15']) {
      await cli(`explain ${n}`, ['explain', MAP, '--input', RECORDS, '--record', n]);
      await cli(`explain ${n} --json`, ['explain', MAP, '--input', RECORDS, '--record', n, '--json']);
    }
    // the webhook server (a real process) over the same journal, fed signed deliveries whose
    // bodies carry every sentinel: what it answers and what it prints are scanned too
    const serve = spawnCli(['webhooks', 'serve', '--port', '0', '--journal', join(work, 'third/journal.db')], { REVOLV3_WEBHOOK_KEY: WEBHOOK_KEY });
    let served = '';
    const port = await new Promise<number>((res, rej) => {
      const t = setTimeout(() => rej(new Error('webhooks serve did not start')), 30_000);
      serve.child.stdout!.on('data', (d: string) => {
        served += d;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(served);
        if (m) { clearTimeout(t); res(Number(m[1])); }
      });
    });
    const hook = `http://127.0.0.1:${port}/hook`;
    const sig = getProvider('revolv3')!.webhooks!.signature;
    const hostile = [
      { EventType: 'InvoiceStatusChanged', Invoice: { InvoiceId: 1, InvoiceStatus: CARDS[0], MerchantInvoiceRefId: CARDS[1], PaymentMethod: { PaymentMethodId: 1, SecurityCode: CODE, Number: CARDS[2] } }, Token: TOKEN },
      { EventType: `Event ${CARDS[2]}`, Note: `cvv ${CODE}` },
      { EventType: 'InvoiceStatusChanged', Invoice: { InvoiceId: `${CARDS[0]}`, InvoiceStatus: 'Paid' } },
    ];
    for (const ev of hostile) {
      const body = JSON.stringify({ Body: JSON.stringify(ev), Entropy: CARDS[0] });
      for (const signature of [webhookSignature(sig, WEBHOOK_KEY, hook, body), 'bad']) {
        const r = await fetch(hook, { method: 'POST', body, headers: { 'x-revolv3-signature': signature } });
        shown.push({ what: `webhooks serve answer ${r.status}`, text: await r.text() });
      }
    }
    const notJson = `{"Body": "${CARDS[0]} ${CODE}"`;
    const r = await fetch(hook, { method: 'POST', body: notJson, headers: { 'x-revolv3-signature': webhookSignature(sig, WEBHOOK_KEY, hook, notJson) } });
    shown.push({ what: `webhooks serve answer ${r.status}`, text: await r.text() });
    serve.child.kill('SIGTERM');
    const done = await serve.done;
    shown.push({ what: 'webhooks serve (stdout)', text: done.stdout }, { what: 'webhooks serve (stderr)', text: done.stderr });
    await cli('demo', ['demo']);
    await cli('demo --json', ['demo', '--json']);
    for (const f of filesText(work)) shown.push({ what: f.file.replace(work, '<work>'), text: f.text });
  }, 600_000);

  it('the corpus really sent the sentinels, unmasked, to the echo server', () => {
    const received = echo.received.join('\n');
    for (const card of CARDS) expect(received).toContain(card);
    expect(received).toMatch(/"securityCode":"987"/);
    expect(received).toContain(TOKEN);
    expect(echo.received.some((r) => /^POST /.test(r))).toBe(true);
  });

  it('covers every command, formats, the results files and the journal files', () => {
    const whats = shown.map((s) => s.what);
    for (const w of ['validate', 'plan --json', 'run', 'run --json', 'runs', 'test --json', 'explain 1', 'demo --json', 'webhooks serve answer 200', 'webhooks serve answer 401', 'webhooks serve answer 400', 'runs sync', 'runs sync --json']) expect(whats.some((x) => x.startsWith(w))).toBe(true);
    const served = shown.find((x) => x.what === 'webhooks serve (stdout)')!.text;
    expect(served).toContain('401 refused: invalid signature');
    expect(served).toContain('200 InvoiceStatusChanged');
    expect(whats.some((w) => w.endsWith('results-json.ndjson'))).toBe(true);
    expect(whats.some((w) => /journal\.db$/.test(w))).toBe(true);
    // the outputs hold real content: failures, echoes and masked cards are there, just masked
    const all = shown.map((s) => s.text).join('\n');
    expect(all).toContain('411111******1111');
    expect(all).toContain('[redacted]');
    expect(all).toContain('Unable to cast value to a number');
    expect(all).toContain('Invalid request');
  });

  it('finds no sentinel in anything shown or written', () => {
    const hits = shown.flatMap((s) => scan(s.text).map((h) => `${s.what}: ${h}`));
    expect(hits).toEqual([]);
  });
});

void repoRoot;
