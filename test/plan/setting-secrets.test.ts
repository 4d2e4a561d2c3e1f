/**
 * A setting declared `secret: true` is hidden by value wherever a Data Map puts it, not only in
 * the fields the provider pack lists as sensitive: a query parameter, a plain body field, text
 * built around it, an error message an expression raises. Checked for every output of a dry run:
 * planRecords, explainRecord, `datamap plan` (--json and text) and `datamap explain`, with the
 * settings bound by the dry run itself and by the caller (withSettings); and for a real
 * `datamap run` against the sandbox: its output, its --output file, its journal and `runs show`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explainRecord, loadDataMap, planRecords, recordItems, settingSecrets, withSettings, type RecordPlanView } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startEchoServer } from '../helpers/echo-server.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = 'sig-SECRET-123456';
const COMPANY = 'comp-visible-778';
const clock = () => Date.UTC(2026, 10, 5);
const INPUT = join(repoRoot, 'examples/field-service/invoices.json');
const records = JSON.parse(readFileSync(INPUT, 'utf8')) as Array<Record<string, unknown>>;

/** The shipped field-service → Invoiss map, with the secret setting also put where nothing marks it sensitive. */
function mapFile(variant: 'fields' | 'error' | 'echo'): string {
  let text = readFileSync(join(repoRoot, 'mappings/field-service-to-invoiss.yaml'), 'utf8');
  const swap = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`the shipped map no longer holds ${from}`);
    text = text.replace(from, to);
  };
  if (variant === 'fields') {
    swap('externalId: customer.id\n', 'externalId: customer.id & "-" & $settings.signature\n');
    swap('"externalId": customer.id\n', '"externalId": $settings.signature\n');
    swap('"technician": technician }', '"technician": "signed " & $settings.signature & " by " & technician }');
  } else if (variant === 'echo') {
    // the echo server answers a request holding `echo-400-text` with a 400 that repeats it
    swap('externalId: customer.id\n', `externalId: '"echo-400-text-" & customer.id & "-" & $settings.signature'\n`);
    // and the pack's sensitive signature field holds something else: only the setting's secrecy hides it
    swap('"signature": $settings.signature,', '"signature": "not-the-setting",');
  } else {
    swap('"phone": customer.phone,', '"phone": $error("signature " & $settings.signature & " refused"),');
  }
  const dir = mkdtempSync(join(tmpdir(), 'datamap-secret-setting-'));
  const file = join(dir, `fs-invoiss-${variant}.yaml`);
  writeFileSync(file, text);
  return file;
}

const env = { INVOISS_SIGNATURE: SECRET, INVOISS_COMPANY_ID: COMPANY };

async function planAll(file: string, bind: 'plan' | 'caller'): Promise<RecordPlanView[]> {
  let map = loadDataMap({ file });
  if (bind === 'caller') map = withSettings(map, { companyId: COMPANY, signature: SECRET, gatewayId: 'gateway_example', paymentStatus: 'COMPLETED' });
  const out: RecordPlanView[] = [];
  for await (const v of planRecords(map, recordItems(records), { clock, settings: { env } })) out.push(v);
  return out;
}

function expectHidden(text: string): void {
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(encodeURIComponent(SECRET).replace(/-/g, '%2D'));
  expect(text).not.toContain('123456');
}

describe('settings declared secret', () => {
  it('are found by value from the bound settings', () => {
    const map = withSettings(loadDataMap({ file: join(repoRoot, 'mappings/field-service-to-invoiss.yaml') }), { companyId: COMPANY, signature: SECRET });
    expect(settingSecrets(map)).toEqual([SECRET]);
    expect(settingSecrets(loadDataMap({ file: join(repoRoot, 'mappings/field-service-to-revolv3.yaml') }))).toEqual([]);
  });

  it.each(['plan', 'caller'] as const)('are never shown by planRecords, wherever the map puts them (settings bound by %s)', async (bind) => {
    const views = await planAll(mapFile('fields'), bind);
    expect(views.length).toBe(records.length);
    const text = JSON.stringify(views);
    expectHidden(text);
    // the plan still shows what is not secret, and the fields the secret went into
    expect(text).toContain(COMPANY);
    expect(text).toContain('signed [redacted] by M. Ortiz');
    const create = views[0]!.steps.find((s) => s.id === 'createClient')!;
    expect((create.request!.body as Record<string, unknown>).externalId).toBe('[redacted]');
    expect(views[0]!.steps.find((s) => s.id === 'findClient')!.request!.url).toContain('externalId=C-881-');
  });

  it('are never shown in an error an expression raises', async () => {
    const views = await planAll(mapFile('error'), 'plan');
    const text = JSON.stringify(views);
    expect(text).toContain('refused');
    expectHidden(text);
  });

  it('are never shown by explainRecord', async () => {
    const map = loadDataMap({ file: mapFile('fields') });
    const e = await explainRecord(map, records[0], { clock, settings: { env } });
    const text = JSON.stringify(e);
    expectHidden(text);
    expect(text).toContain(COMPANY);
  });

  it.each([['plan', '--json'], ['plan', '--text'], ['explain', '--json'], ['explain', '']])('are never shown by `datamap %s %s`', async (command, flag) => {
    for (const variant of ['fields', 'error'] as const) {
      const r = await runCli([command, mapFile(variant), '--input', INPUT, ...(flag && flag !== '--text' ? [flag] : [])], { env });
      expect(r.stdout.length).toBeGreaterThan(100);
      expectHidden(r.stdout + r.stderr);
    }
  });
});

describe('settings declared secret, in a real run', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await startSandbox({ rateLimitPerSecond: 0, seed: 'secret-setting' }); });
  afterAll(async () => { await sb.close(); });

  it.each(['fields', 'error'] as const)('are never written by `datamap run` (%s): stdout, --output, the journal file, `runs show`', async (variant) => {
    // the sandbox accepts only its own signature: that is the secret here
    const secret = sb.env.INVOISS_SIGNATURE!;
    expect(secret.length).toBeGreaterThan(8);
    const cwd = mkdtempSync(join(tmpdir(), 'datamap-secret-run-'));
    const journal = join(cwd, 'journal.db');
    const out = join(cwd, 'results.ndjson');
    const r = await runCli(['run', mapFile(variant), '--input', INPUT, '--base-url', sb.baseUrls.invoiss, '--journal', journal, '--output', out, '--json', '--settle-window', '0'], { env: { ...sb.env }, cwd, now: Date.now });
    if (variant === 'fields') {
      expect(r.stdout).toContain('"outcome":"succeeded"');
      // it was sent where the map put it (the lookup's query), and shown hidden
      expect(r.stdout).toContain('externalId=C-881-[redacted]');
    } else {
      // the error that names it is reported (before any call), hidden
      expect(r.stdout).toContain('signature [redacted] refused');
    }
    const runId = /"runId":"(r-[^"]+)"/.exec(r.stdout)![1]!;
    const show = await runCli(['runs', 'show', runId, '--journal', journal, '--json'], { cwd });
    expect(show.code).toBe(0);
    const files = [out, journal, `${journal}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1'));
    for (const text of [r.stdout, r.stderr, show.stdout, show.stderr, ...files]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
  });

  it('are never written when a provider echoes the request back (the lookup query, in its 400 answer)', async () => {
    const echo = await startEchoServer();
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'datamap-secret-echo-'));
      const journal = join(cwd, 'journal.db');
      const out = join(cwd, 'results.ndjson');
      const r = await runCli(['run', mapFile('echo'), '--input', INPUT, '--base-url', echo.url, '--journal', journal, '--output', out, '--json', '--settle-window', '0'], { env: { ...env, INVOISS_TOKEN: 'tok-echo-test-123', INVOISS_GATEWAY_ID: 'gw_echo', INVOISS_PAYMENT_STATUS: 'COMPLETED' }, cwd, now: Date.now });
      if (echo.received.length === 0) throw new Error(r.stdout + r.stderr);
      // it reached the provider, which sent it back
      expect(echo.received.join('\n')).toContain(SECRET);
      // the record fails on the lookup's 400 (nothing else is sent)
      expect(r.stdout).toContain('"outcome":"failed"');
      expect(echo.received.some((t) => t.includes('/public/payments'))).toBe(false);
      const files = [out, journal, `${journal}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1'));
      for (const text of [r.stdout, r.stderr, ...files]) expectHidden(text);
    } finally {
      await echo.close();
    }
  });
});
