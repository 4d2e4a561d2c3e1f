// The studio in a real browser: Playwright (playwright-core) driving Debian's Chromium
// (/usr/bin/chromium, installed by .ci/run). One studio and one page walk through what a user
// does: open a shipped map, break a JSONata expression and see the marker at its line, fix it
// and see the plan turn valid, click a body field and see its expression, run the tests, try a
// record against the sandbox, save, and see a change on disk. Screenshots go to
// test-artifacts/studio/ (git-ignored).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCardNumbers, scrubText, startStudio, type Studio } from '../../src/index.js';
import { buildPage, INPUT, makeJournal, MAP, ROOT, scratchProject } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'studio');
const haveBrowser = existsSync(CHROMIUM);
// CI installs Chromium (.ci/run): there a missing browser is a failure, not a skip
if (!haveBrowser && process.env['CI']) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);

interface StudioHooks {
  markers(): Array<{ line: number; column: number; severity: string; code?: string }>;
  highlighted(): string | undefined;
  mapText(): string;
  placeCursorAfter(snippet: string): boolean;
}

let browser: BrowserContext;
let page: Page;
let studio: Studio;
let dir: string;
let mapText: string;
let runId: string;
const pageErrors: string[] = [];

const hooks = <T>(fn: (s: StudioHooks) => T): Promise<T> => page.evaluate(`(${fn.toString()})(window.studio)`) as Promise<T>;
const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
/** Waits for a value (the page re-evaluates 300 ms after typing; the machine may be busy). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });
const lineOf = (text: string, snippet: string) => text.split('\n').findIndex((l) => l.includes(snippet)) + 1;

describe.skipIf(!haveBrowser)('studio in Chromium', () => {
  beforeAll(async () => {
    buildPage();
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = scratchProject();
    mapText = readFileSync(join(dir, MAP), 'utf8');
    runId = await makeJournal(join(dir, '.datamap', 'journal.db'));
    studio = await startStudio({ map: MAP, input: INPUT, cwd: dir, clock: () => Date.parse('2026-11-21T00:00:00Z') });
    // a fresh user-data dir each run (Playwright passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'datamap-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // the page must never reach for anything but its own server
    await page.route('**/*', (route) => (route.request().url().startsWith(studio.origin) ? route.continue() : route.abort()));
    page.on('request', (r) => { if (!r.url().startsWith(studio.origin) && !r.url().startsWith('data:')) pageErrors.push(`request to ${r.url()}`); });
    await page.goto(studio.url);
    await page.waitForSelector('#map-valid');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('opens a shipped map: valid, plan of the first record, masked', async () => {
    await poll(() => page.textContent('#map-valid')).toBe('valid');
    expect(await page.textContent('#plan-summary')).toContain('FS-10042');
    expect(await page.textContent('#plan-summary .badge')).toBe('valid');
    expect(await page.locator('#record-picker option').count()).toBe(3);
    expect(findCardNumbers(await page.content())).toEqual([]);
    expect(await page.textContent('[data-step="sale"] .json')).toContain('411111******1111');
    await shot('01-open');
  });

  it('marks a broken JSONata expression at its line, and the plan turns valid once it is fixed', async () => {
    const snippet = '"value": $total';
    const line = lineOf(mapText, snippet);
    expect(await hooks((s) => s.placeCursorAfter('"value": $total'))).toBe(true);
    await page.keyboard.type(' +');
    await poll(() => page.textContent('#map-valid')).toMatch(/error/);
    const markers = await hooks((s) => s.markers());
    expect(markers).toContainEqual(expect.objectContaining({ line, severity: 'error', code: 'expression/syntax' }));
    await poll(() => page.locator(`#map-diagnostics li[data-code="expression/syntax"][data-line="${line}"]`).count()).toBe(1);
    await poll(() => page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    expect(await page.textContent('#tab-plan')).toContain('No plan');
    await shot('02-broken-expression');

    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await poll(() => page.textContent('#map-valid')).toBe('valid');
    await poll(() => page.textContent('#plan-summary .badge')).toBe('valid');
    expect(await hooks((s) => s.markers())).toEqual([]);
    expect(await hooks((s) => s.mapText())).toBe(scrubText(mapText));
  });

  it('shows where invoice.amount.value comes from and marks it in the editor', async () => {
    await page.click('[data-step="sale"] [data-path="invoice.amount.value"]');
    await poll(() => page.textContent('#provenance-expression')).toBe('$total');
    expect(await page.textContent('#provenance-let')).toContain('$round($sum(lines.(qty * unitPrice)), 2)');
    expect(await page.textContent('#provenance-location')).toBe(`${MAP}:${lineOf(mapText, '"value": $total')}:${mapText.split('\n')[lineOf(mapText, '"value": $total') - 1]!.indexOf('$total') + 1}`);
    expect(await hooks((s) => s.highlighted())).toBe('$total');
    await poll(() => page.locator('.cm-provenance').count()).toBe(1);
    expect(await page.textContent('#unread-fields')).toContain('technician');
    await shot('03-provenance');
  });

  it('picks another record', async () => {
    await page.selectOption('#record-picker', '1');
    await poll(() => page.textContent('#plan-summary')).toContain('FS-10043');
    await page.selectOption('#record-picker', '0');
    await poll(() => page.textContent('#plan-summary')).toContain('FS-10042');
  });

  it('shows the provider reference of the step\'s operation, searchable', async () => {
    await page.click('#tabs [data-tab="reference"]');
    await poll(() => page.locator('#reference-tree .row').count()).toBeGreaterThan(10);
    await page.fill('#reference-search', 'merchantInvoiceRefId');
    await poll(() => page.locator('#reference-tree .row.match').count()).toBeGreaterThan(0);
    expect(await page.locator('#reference-tree .row.match').first().getAttribute('data-path')).toBe('invoice.merchantInvoiceRefId');
  });

  it('runs the map\'s tests', async () => {
    await page.click('#tabs [data-tab="tests"]');
    await page.click('#run-tests');
    await poll(() => page.textContent('#tests-summary')).toMatch(/^[1-9]\d* passed, 0 failed$/);
    expect(await page.locator('.case.pass').count()).toBeGreaterThan(0);
  });

  it('tries the record against the sandbox: outcome, calls and ledger', async () => {
    await page.click('#tabs [data-tab="try"]');
    await page.click('#run-try');
    await poll(() => page.textContent('#try-outcome .badge')).toBe('succeeded');
    expect(await page.textContent('#try-ledger')).toContain('FS-10042');
    expect(await page.textContent('#try-ledger')).toContain('159.99');
    expect(await page.textContent('[data-step="sale"].call')).toContain('HTTP 200');
    expect(findCardNumbers(await page.content())).toEqual([]);
    await shot('04-try-it');
  });

  it('shows the journal read-only: runs, records by state as a chart, filtered by a click', async () => {
    await page.click('#tabs [data-tab="journal"]');
    await poll(() => page.locator(`#journal-runs tr[data-run="${runId}"]`).count()).toBe(1);
    await poll(() => page.locator('#journal-records tr[data-key]').count()).toBe(3);
    const succeeded = Number(await page.getAttribute('#journal-chart .bar[data-state="succeeded"]', 'data-count'));
    expect(succeeded).toBeGreaterThan(0);
    expect(await page.textContent('#journal-records tr[data-key="FS-10042"]')).toContain('411111******1111');
    await page.click('#journal-chart .bar[data-state="succeeded"] button');
    await poll(() => page.locator('#journal-records tr[data-key]').count()).toBe(succeeded);
    expect(await page.locator('#journal-records tr[data-key]:not([data-state="succeeded"])').count()).toBe(0);
    expect(findCardNumbers(await page.content())).toEqual([]);
    await shot('05-journal');
  });

  it('saves only on the explicit action, and reloads when the file changes on disk', async () => {
    const file = join(dir, MAP);
    const evaluated = await page.getAttribute('body', 'data-evaluated');
    expect(await hooks((s) => s.placeCursorAfter('name: field-service invoices to Revolv3 sale'))).toBe(true);
    await page.keyboard.type(' (studio)');
    await poll(() => page.isVisible('#dirty')).toBe(true);
    // the edit has been evaluated by the server, and the file is still untouched
    await poll(() => page.getAttribute('body', 'data-evaluated')).not.toBe(evaluated);
    expect(readFileSync(file, 'utf8')).toBe(mapText);
    await page.click('#save');
    await poll(() => readFileSync(file, 'utf8')).toBe(mapText.replace('Revolv3 sale\n', 'Revolv3 sale (studio)\n'));
    await poll(() => page.isVisible('#dirty')).toBe(false);

    writeFileSync(file, mapText);
    await poll(() => hooks((s) => s.mapText())).toContain('name: field-service invoices to Revolv3 sale\n');
    await poll(() => page.textContent('#status')).toMatch(/reloaded/);
    expect(pageErrors).toEqual([]);
  });

  it('asks before dropping unsaved edits for a change on disk, and saves over it only when told to (Ctrl-S)', async () => {
    const file = join(dir, MAP);
    expect(await hooks((s) => s.placeCursorAfter('name: field-service invoices to Revolv3 sale'))).toBe(true);
    await page.keyboard.type(' (mine)');
    writeFileSync(file, mapText + '# theirs\n');
    await poll(() => page.textContent('#banner')).toContain('changed on disk');
    await page.click('#banner button:has-text("Keep my edits")');
    expect(await hooks((s) => s.mapText())).toContain('Revolv3 sale (mine)');
    await page.keyboard.press('Control+s');
    await poll(() => page.textContent('#banner')).toContain('changed on disk since you loaded it');
    expect(readFileSync(file, 'utf8')).toBe(mapText + '# theirs\n');
    await page.click('#banner button:has-text("Overwrite with mine")');
    await poll(() => readFileSync(file, 'utf8')).toBe(mapText.replace('Revolv3 sale\n', 'Revolv3 sale (mine)\n'));
    expect(pageErrors).toEqual([]);
  });
});
