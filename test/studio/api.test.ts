// The studio's JSON API through the library (startStudio): plan, explain, diagnostics, tests,
// try-it against the sandbox, save and reload, masking of every answer, and the Host / Origin /
// token / size checks. Real server on an OS-chosen port, real files in a scratch folder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDataMap, findCardNumbers, scrubText, startStudio, type Studio } from '../../src/index.js';
import { DEFAULT_CREDENTIALS as DEFAULT_SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { buildPage, INPUT, makeJournal, MAP, scratchProject, send } from './helpers.js';

const FROZEN = Date.parse('2026-11-21T00:00:00Z');
let dir: string;
let studio: Studio;
let mapText: string;

/** Every security code of the sample records: none may appear in an answer. */
const CVVS = (JSON.parse(readFileSync(join(__dirname, '../../', INPUT), 'utf8')) as Array<{ payment: { card?: { cvv?: string } } }>)
  .map((r) => r.payment.card?.cvv).filter((c): c is string => typeof c === 'string');

function api(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) {
  return send(studio.port, method, path, {
    headers: { [studio.tokenHeader]: studio.token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** No card number and no sample security code in an answer's text. */
function expectMasked(text: string): void {
  expect(findCardNumbers(text)).toEqual([]);
  for (const cvv of CVVS) expect(text).not.toMatch(new RegExp(`"(securityCode|cvv)":"${cvv}"`));
}

beforeAll(async () => {
  buildPage();
  dir = scratchProject();
  mapText = readFileSync(join(dir, MAP), 'utf8');
  studio = await startStudio({ map: MAP, input: INPUT, cwd: dir, clock: () => FROZEN });
});
afterAll(async () => {
  await studio?.close();
});

describe('session and evaluate', () => {
  it('serves the map as on disk and the records masked', async () => {
    const r = await api('GET', '/api/session');
    expect(r.status).toBe(200);
    expectMasked(r.text);
    const s = r.json() as { map: { file: string; text: string; exists: boolean; testFile: string }; records: { text: string; count: number } };
    expect(s.map).toMatchObject({ file: MAP, exists: true, testFile: MAP.replace('.yaml', '.test.yaml') });
    // as the CLI prints it: a Luhn-valid digit run (here one in a comment) is masked
    expect(s.map.text).toBe(scrubText(mapText));
    expect(s.map.text).not.toBe(mapText);
    expect(s.records.count).toBe(3);
    expect(s.records.text).toContain('411111******1111');
    expect(s.records.text).toContain('"cvv": "[redacted]"');
  });

  it('plans the chosen record (masked values put back on the server) and explains each field', async () => {
    const session = (await api('GET', '/api/session')).json() as { records: { text: string } };
    const r = await api('POST', '/api/evaluate', { text: mapText, records: session.records.text, record: 0 });
    expect(r.status).toBe(200);
    expectMasked(r.text);
    const ev = r.json() as {
      valid: boolean; diagnostics: unknown[]; records: { items: Array<{ index: number; key: string; ok: boolean }> };
      plan: { ok: boolean; key: string; steps: Array<{ id: string; verdict: string; request: { method: string; url: string; headers: Record<string, string>; body: { paymentMethod: { creditCard: Record<string, string> } } } }> };
      explanation: { steps: Array<{ fields: Array<{ path: string; expression: string; location: { line: number }; let?: { name: string } }> }>; unreadFields: string[] };
    };
    expect(ev.valid).toBe(true);
    expect(ev.records.items.map((i) => [i.key, i.ok])).toEqual([['FS-10042', true], ['FS-10043', true], ['FS-10044', true]]);
    // the plan is valid, so the real card number reached the planner; the answer shows its mask
    expect(ev.plan.ok).toBe(true);
    const sale = ev.plan.steps[0]!;
    expect(sale.request.method).toBe('POST');
    expect(sale.request.url).toBe('https://api-sandbox.revolv3.com/api/Payments/sale');
    expect(sale.request.headers['x-revolv3-token']).toBe('[redacted]');
    expect(sale.request.body.paymentMethod.creditCard).toMatchObject({ paymentAccountNumber: '411111******1111', securityCode: '[redacted]' });
    const amount = ev.explanation.steps[0]!.fields.find((f) => f.path === 'invoice.amount.value')!;
    expect(amount.expression).toBe('$total');
    expect(amount.let?.name).toBe('total');
    expect(mapText.split('\n')[amount.location.line - 1]).toContain('"value": $total');
    expect(ev.explanation.unreadFields).toContain('technician');
  });

  it('reports the same diagnostics as validate, at the line of a broken expression', async () => {
    const broken = mapText.replace('"value": $total }', '"value": $total + }');
    const line = broken.split('\n').findIndex((l) => l.includes('$total + }')) + 1;
    const r = await api('POST', '/api/evaluate', { text: broken });
    const ev = r.json() as { valid: boolean; diagnostics: Array<{ code: string; location: { file: string; line: number } }>; plan?: unknown };
    expect(ev.valid).toBe(false);
    expect(ev.plan).toBeUndefined();
    const syntax = ev.diagnostics.find((d) => d.code === 'expression/syntax')!;
    expect(syntax.location).toMatchObject({ file: MAP, line });
    const lib = checkDataMap({ text: broken, file: MAP }).diagnostics.map((d) => [d.code, d.location?.line]);
    expect(ev.diagnostics.map((d) => [d.code, d.location.line])).toEqual(lib);
  });

  it('links each schema violation to its line and locates record JSON errors', async () => {
    const bad = mapText.replace('"currency": "USD"', '"currency": "US DOLLARS"');
    const ev = (await api('POST', '/api/evaluate', { text: bad, record: 0 })).json() as { plan: { ok: boolean; steps: Array<{ verdict: string; diagnostics: Array<{ code: string; location: { line: number } }> }> } };
    expect(ev.plan.ok).toBe(false);
    const v = ev.plan.steps[0]!.diagnostics.find((d) => d.code === 'schema/payload-invalid')!;
    expect(bad.split('\n')[v.location.line - 1]).toContain('currency');
    const recs = (await api('POST', '/api/evaluate', { text: mapText, records: '{\n  "invoiceNumber": "X",\n  "status": \n}' })).json() as { records: { diagnostics: Array<{ code: string; location: { file: string; line: number } }> } };
    expect(recs.records.diagnostics[0]).toMatchObject({ code: 'source/json-syntax', location: { file: 'records' } });
  });

  it('answers with a masked plan when the page sends a card number it typed itself', async () => {
    const record = JSON.parse(readFileSync(join(dir, INPUT), 'utf8'))[0];
    record.payment.card.number = '5555555555554444';
    const r = await api('POST', '/api/evaluate', { text: mapText, records: JSON.stringify(record) });
    expect(r.text).toContain('555555******4444');
    expectMasked(r.text);
  });

  it('gives the provider reference of an operation', async () => {
    const r = (await api('GET', '/api/providers/revolv3/payments.sale')).json() as { id: string; request: { properties: Array<{ name: string }> } };
    expect(r.id).toBe('payments.sale');
    expect(r.request.properties.map((p) => p.name)).toContain('invoice');
    expect((await api('GET', '/api/providers/revolv3/nope')).status).toBe(400);
  });
});

describe('tests, try-it, save', () => {
  it('runs the map\'s test cases against the map as edited, with a diff per failure', async () => {
    const ok = (await api('POST', '/api/tests', { text: mapText })).json() as { ran: boolean; passed: number; failed: number };
    expect(ok.ran).toBe(true);
    expect(ok.passed).toBeGreaterThan(0);
    expect(ok.failed).toBe(0);
    const edited = mapText.replace('"orderProcessingChannel": "Moto"', '"orderProcessingChannel": "Ecommerce"');
    const r = await api('POST', '/api/tests', { text: edited });
    expectMasked(r.text);
    const bad = r.json() as { failed: number; cases: Array<{ passed: boolean; mismatches: Array<{ path: string; expected: unknown; actual: unknown }> }> };
    expect(bad.failed).toBeGreaterThan(0);
    const m = bad.cases.flatMap((c) => c.mismatches).find((x) => x.path === 'requests.sale.invoice.orderProcessingChannel');
    expect(m).toMatchObject({ expected: 'Moto', actual: 'Ecommerce' });
    expect(readFileSync(join(dir, MAP), 'utf8')).toBe(mapText);
  });

  it('tries a record against the built-in sandbox: calls, outcome and ledger, masked', async () => {
    const r = await api('POST', '/api/try', { text: mapText, record: 0 });
    expect(r.status).toBe(200);
    expectMasked(r.text);
    const t = r.json() as { ran: boolean; result: { outcome: string; key: string; steps: Array<{ status: number; request: { headers: Record<string, string> } }> }; ledger: Array<{ merchantReference: string; amount: number; approved: boolean }> };
    expect(t.ran).toBe(true);
    expect(t.result.outcome).toBe('succeeded');
    expect(t.result.steps[0]!.status).toBe(200);
    expect(t.result.steps[0]!.request.headers['x-revolv3-token']).toBe('[redacted]');
    expect(t.ledger).toEqual([expect.objectContaining({ merchantReference: 'FS-10042', amount: 159.99, approved: true })]);
    // the sandbox's credentials are never in an answer either
    const ledger = await api('GET', '/api/sandbox/ledger');
    expect(ledger.json()['ledger']).toHaveLength(1);
    for (const v of Object.values(DEFAULT_SANDBOX_CREDENTIALS)) expect(r.text).not.toContain(v);
    expect((await api('POST', '/api/sandbox/reset', {})).status).toBe(200);
    expect((await api('GET', '/api/sandbox/ledger')).json()['ledger']).toEqual([]);
  });

  it('scrubs the sandbox\'s credentials by value from every answer once it runs', async () => {
    const record = JSON.parse(readFileSync(join(dir, INPUT), 'utf8'))[0];
    record.customer.firstName = DEFAULT_SANDBOX_CREDENTIALS.REVOLV3_TOKEN;
    const r = await api('POST', '/api/evaluate', { text: mapText, records: JSON.stringify(record) });
    expect(r.text).not.toContain(DEFAULT_SANDBOX_CREDENTIALS.REVOLV3_TOKEN);
    const body = (r.json() as { plan: { steps: Array<{ request: { body: { paymentMethod: { billingFirstName: string } } } }> } }).plan.steps[0]!.request.body;
    expect(body.paymentMethod.billingFirstName).toBe('[redacted]');
  });

  it('does not run a map with errors', async () => {
    const t = (await api('POST', '/api/try', { text: 'provider: nope\n' })).json() as { ran: boolean; diagnostics: Array<{ code: string }> };
    expect(t).toMatchObject({ ran: false, diagnostics: [{ code: 'run/not-planned' }] });
  });

  it('saves the masked text it sent back as the original (the masked digit run in a comment is restored)', async () => {
    const s = (await api('GET', '/api/map')).json() as { text: string; version: string };
    expect((await api('POST', '/api/save', { text: s.text, version: s.version })).status).toBe(200);
    expect(readFileSync(join(dir, MAP), 'utf8')).toBe(mapText);
  });

  it('changes the file only on save, refuses a save over a change on disk, and pushes disk changes to the page', async () => {
    const file = join(dir, MAP);
    const session = (await api('GET', '/api/session')).json() as { map: { version: string } };
    const edited = mapText.replace('name: field-service invoices to Revolv3 sale', 'name: edited in the studio');
    await api('POST', '/api/evaluate', { text: edited });
    await api('POST', '/api/tests', { text: edited });
    expect(readFileSync(file, 'utf8')).toBe(mapText);

    const saved = (await api('POST', '/api/save', { text: edited, version: session.map.version })).json() as { saved: boolean; version: string };
    expect(saved.saved).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(edited);

    const events = openEvents();
    await events.ready;
    writeFileSync(file, edited + '# changed by another editor\n');
    const version = await events.next('map');
    events.close();
    expect(version).not.toBe(saved.version);
    const disk = (await api('GET', '/api/map')).json() as { text: string; version: string };
    expect(disk).toMatchObject({ text: scrubText(edited + '# changed by another editor\n'), version });

    const conflict = await api('POST', '/api/save', { text: mapText, version: saved.version });
    expect(conflict.status).toBe(409);
    expect(conflict.json()['error']).toMatchObject({ code: 'studio/conflict' });
    expect(readFileSync(file, 'utf8')).toBe(edited + '# changed by another editor\n');
    expect((await api('POST', '/api/save', { text: mapText, version: saved.version, overwrite: true })).status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe(mapText);
  });
});

/** The page's event stream, read with node:http. */
function openEvents() {
  let buf = '';
  const waiters: Array<() => void> = [];
  let readyResolve: () => void;
  const ready = new Promise<void>((r) => { readyResolve = r; });
  const req = httpRequest({ host: '127.0.0.1', port: studio.port, path: `/api/events?token=${studio.token}`, headers: { host: `127.0.0.1:${studio.port}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => { buf += c; readyResolve(); for (const w of waiters.splice(0)) w(); });
  });
  req.on('error', () => undefined);
  req.end();
  return {
    ready,
    async next(event: string): Promise<string> {
      const deadline = Date.now() + 5000;
      for (;;) {
        const m = new RegExp(`event: ${event}\\ndata: (.*)\\n\\n`).exec(buf);
        if (m) return (JSON.parse(m[1]!) as { version: string }).version;
        if (Date.now() > deadline) throw new Error(`no ${event} event; got ${JSON.stringify(buf)}`);
        await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 200); });
      }
    },
    close: () => req.destroy(),
  };
}

describe('safe by construction', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(studio.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
    // another loopback address reaches the machine, but not a server bound to 127.0.0.1
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const req = httpRequest({ host: '127.0.0.2', port: studio.port, path: '/' }, () => resolve(undefined));
      req.on('error', (e) => resolve(e));
      req.end();
    });
    expect(err?.code).toBe('ECONNREFUSED');
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin, a cross-site fetch and a missing or wrong token', async () => {
    const cases: Array<Record<string, string>> = [
      { host: 'evil.example:80' },
      { host: `attacker.test:${studio.port}` },
      { origin: 'http://evil.example' },
      { origin: `http://127.0.0.1:${studio.port + 1}` },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { [studio.tokenHeader]: 'wrong' },
      { [studio.tokenHeader]: '' },
    ];
    for (const h of cases) {
      for (const [method, path, body] of [['GET', '/api/session', undefined], ['POST', '/api/save', { text: 'x' }], ['GET', '/', undefined]] as const) {
        const r = await api(method, path, body, h);
        expect(r.status, `${method} ${path} ${JSON.stringify(h)}`).toBe(403);
        expect(r.json()['error']).toMatchObject({ code: 'studio/forbidden' });
      }
    }
    expect(readFileSync(join(dir, MAP), 'utf8')).toBe(mapText);
    // the studio's own origin, under either name, with the token, is fine
    expect((await api('GET', '/api/session', undefined, { origin: `http://127.0.0.1:${studio.port}` })).status).toBe(200);
    expect((await api('GET', '/api/session', undefined, { host: `localhost:${studio.port}`, origin: `http://localhost:${studio.port}` })).status).toBe(200);
    expect((await send(studio.port, 'GET', `/api/session?token=${studio.token}`)).status).toBe(200);
    expect((await send(studio.port, 'GET', '/api/session')).status).toBe(403);
  });

  it('limits body size and wants JSON objects', async () => {
    const small = await startStudio({ map: MAP, cwd: dir, maxBodyBytes: 1000 });
    try {
      const big = await send(small.port, 'POST', '/api/evaluate', { headers: { [small.tokenHeader]: small.token, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(5000) }) });
      expect(big.status).toBe(413);
      expect(big.json()['error']).toMatchObject({ code: 'studio/too-large' });
      const form = await send(small.port, 'POST', '/api/save', { headers: { [small.tokenHeader]: small.token, 'content-type': 'text/plain' }, body: '{"text":"x"}' });
      expect(form.status).toBe(400);
      const arr = await send(small.port, 'POST', '/api/evaluate', { headers: { [small.tokenHeader]: small.token, 'content-type': 'application/json' }, body: '[1]' });
      expect(arr.json()['error']).toMatchObject({ code: 'studio/bad-request' });
      expect((await send(small.port, 'GET', '/api/nope', { headers: { [small.tokenHeader]: small.token } })).status).toBe(404);
    } finally {
      await small.close();
    }
    expect(readFileSync(join(dir, MAP), 'utf8')).toBe(mapText);
  });

  it('serves the page with a strict content security policy, and its bundle under its own host only', async () => {
    const page = await send(studio.port, 'GET', `/?token=${studio.token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/assets/studio.js">');
    expect(page.text).not.toMatch(/https?:\/\//);
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    const js = await send(studio.port, 'GET', '/assets/studio.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.text.length).toBeGreaterThan(50_000);
    expect((await send(studio.port, 'GET', '/assets/studio.js', { headers: { host: 'evil.example' } })).status).toBe(403);
    expect((await send(studio.port, 'GET', '/assets/%2e%2e%2fpackage.json')).status).toBe(404);
    expect((await send(studio.port, 'GET', '/assets/../package.json')).status).toBe(403);
  });

  it('never sends a literal secret of the map to the page, and saves it back unchanged', async () => {
    const secretMap = mapText.replace('  environment: sandbox\n', '  environment: sandbox\n  credentials:\n    REVOLV3_TOKEN: "sk-live-do-not-leak-4242"\n');
    writeFileSync(join(dir, MAP), secretMap);
    const s = (await api('GET', '/api/map')).json() as { text: string; version: string };
    expect(s.text).not.toContain('sk-live-do-not-leak-4242');
    expect(s.text).toMatch(/REVOLV3_TOKEN: __studio_hidden_secret_\w+__/);
    const ev = await api('POST', '/api/evaluate', { text: s.text });
    expect(ev.text).not.toContain('sk-live-do-not-leak-4242');
    expect((ev.json()['diagnostics'] as Array<{ code: string }>).map((d) => d.code)).toContain('datamap/literal-secret');
    await api('POST', '/api/save', { text: s.text.replace('name: field-service', 'name: renamed field-service'), version: s.version });
    expect(readFileSync(join(dir, MAP), 'utf8')).toBe(secretMap.replace('name: field-service', 'name: renamed field-service'));
    writeFileSync(join(dir, MAP), mapText);
  });
});

describe('a new map and the command', () => {
  it('starts a map that does not exist from the init starter and creates it on save', async () => {
    const s = await startStudio({ map: 'mappings/new-to-invoiss.yaml', input: INPUT, cwd: dir, provider: 'invoiss' });
    try {
      const session = (await send(s.port, 'GET', `/api/session?token=${s.token}`)).json() as { map: { exists: boolean; text: string; version: string } };
      expect(session.map.exists).toBe(false);
      expect(session.map.text).toMatch(/^# yaml-language-server: \$schema=\S*schemas\/datamap\.schema\.json/);
      expect(session.map.text).toMatch(/^provider:\n {2}name: invoiss$/m);
      expect(existsSync(join(dir, 'mappings/new-to-invoiss.yaml'))).toBe(false);
      const saved = await send(s.port, 'POST', '/api/save', { headers: { [s.tokenHeader]: s.token, 'content-type': 'application/json' }, body: JSON.stringify({ text: session.map.text, version: session.map.version }) });
      expect(saved.status).toBe(200);
      expect(readFileSync(join(dir, 'mappings/new-to-invoiss.yaml'), 'utf8')).toBe(session.map.text);
    } finally {
      await s.close();
    }
  });

  it('refuses bad option values on the command line, naming the flag', async () => {
    for (const [args, flag] of [[['--port', 'abc'], '--port'], [['--port', '70000'], '--port'], [['--input', 'no-such.json'], '--input'], [['--provider', 'nope'], '--provider']] as const) {
      const r = await runCli(['studio', MAP, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage/invalid-argument');
      expect(r.stderr).toContain(flag);
    }
  });

  it('has help with examples and exit codes, and -i means --input as everywhere', async () => {
    const r = await runCli(['studio', '--help']);
    expect(r.stdout).toMatch(/Examples:\n {2}datamap studio /);
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/^\s+-i, --input/m);
    expect(r.stdout).not.toMatch(/^\s+-p, --port/m);
  });
});

describe('the journal, read-only', () => {
  it('lists the runs and shows a run\'s records by state, only when a journal exists', async () => {
    const none = (await api('GET', '/api/journal')).json();
    expect(none).toMatchObject({ available: false, file: '.datamap/journal.db' });
    const file = join(dir, 'runs', 'journal.db');
    // a run started at a time whose 13 digits pass the Luhn check, like a card number would
    const started = 1795219200007;
    const runId = await makeJournal(file, started);
    const before = readFileSync(file);
    const s = await startStudio({ map: MAP, cwd: dir, journal: 'runs/journal.db' });
    try {
      const get = (path: string) => send(s.port, 'GET', path, { headers: { [s.tokenHeader]: s.token } });
      const runs = (await get('/api/journal')).json() as { available: boolean; runs: Array<{ runId: string; mapName: string; counts: Record<string, number> }> };
      expect(runs.available).toBe(true);
      expect(runs.runs).toEqual([expect.objectContaining({ runId, mapName: 'field-service invoices to Revolv3 sale' })]);
      // times as ISO text, never blanked by the card scrub (a 13-digit ms time can pass the Luhn check)
      expect(runs.runs[0]).toMatchObject({ startedAt: new Date(started).toISOString(), endedAt: expect.stringMatching(/Z$/) });
      const r = await get(`/api/journal/runs/${runId}`);
      expectMasked(r.text);
      const run = r.json() as { byState: Record<string, number>; records: Array<{ key: string; state: string; card?: string }> };
      const states = Object.fromEntries(run.records.map((x) => [x.key, x.state]));
      expect(Object.values(run.byState).reduce((a, b) => a + b, 0)).toBe(run.records.length);
      for (const [key, state] of Object.entries(states)) expect(run.byState[state], key).toBeGreaterThan(0);
      expect(states['FS-10042']).toBe('succeeded');
      const only = (await get(`/api/journal/runs/${runId}?state=succeeded`)).json() as { records: Array<{ state: string }> };
      expect(only.records.length).toBe(run.byState['succeeded']);
      expect(only.records.every((x) => x.state === 'succeeded')).toBe(true);
      expect((await get(`/api/journal/runs/${runId}?state=bogus`)).status).toBe(400);
      expect((await get('/api/journal/runs/r-nope')).json()['error']).toMatchObject({ code: 'journal/unknown-run' });
    } finally {
      await s.close();
    }
    // the studio only reads the journal (a copy of the file stays byte-for-byte equal)
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
