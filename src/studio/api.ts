/**
 * The studio's JSON API, as plain functions over the library: each answer is what the CLI
 * command of the same name computes (checkDataMap, planRecord, explainRecord,
 * describeOperation, runDataMapTest, runRecords against the built-in sandbox). Nothing here
 * formats for a screen and nothing is decided twice: the page only shows these answers.
 */
import { relative } from 'node:path';
import { checkDataMap } from '../datamap/load.js';
import type { CompiledMap } from '../datamap/types.js';
import { DatamapError, diagnostic, hasErrors, type Diagnostic } from '../errors/diagnostic.js';
import { runRecords } from '../executor/run.js';
import type { RecordResult } from '../executor/types.js';
import { planRecord, recordItems } from '../plan/plan-stream.js';
import { listProviders } from '../providers/registry.js';
import { startSandbox, type LedgerEntry, type Sandbox } from '../sandbox/index.js';
import { describeOperation, describeProviders, explainRecord, findDataMapTests, initDataMap, runDataMapTest } from '../authoring/index.js';
import { MapFile, parseRecordsText, type LoadedRecords } from './files.js';
import { maskRecord, restoreRecord, TextVault } from './mask.js';
import { JOURNAL_STATES, type JournalView } from './journal-view.js';

/** What the API needs from the studio around it. */
export interface ApiContext {
  cwd: string;
  map: MapFile;
  records: LoadedRecords;
  clock: () => number;
  /** Provider pack of a new map's starter text. */
  provider?: string;
  journal?: JournalView;
}

const MAX_SUMMARY = 200;

export class StudioApi {
  private readonly vault = new TextVault();
  private cache: { text: string; map?: CompiledMap; diagnostics: Diagnostic[] } | undefined;
  private sandbox: Promise<Sandbox> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: ApiContext) {}

  /** The map file as the page shows it (relative to the studio's folder). */
  private get mapName(): string {
    return relative(this.ctx.cwd, this.ctx.map.path) || this.ctx.map.path;
  }

  /** Values never to appear in an answer: the sandbox's credentials and the packs' credential variables. */
  async secrets(): Promise<string[]> {
    const out: string[] = [];
    if (this.sandbox) out.push(...Object.values((await this.sandbox).credentials));
    for (const p of describeProviders()) for (const c of p.credentials) {
      const v = process.env[c.env];
      if (v) out.push(v);
    }
    return out;
  }

  /** GET /api/session: the files, the map's text (masked), the records (masked), the packs. */
  session(): Record<string, unknown> {
    const disk = this.ctx.map.read();
    const tests = findDataMapTests([this.ctx.map.path]);
    return {
      map: {
        file: this.mapName,
        exists: disk.text !== undefined,
        text: this.vault.mask(disk.text ?? this.starter()),
        version: disk.version,
        testFile: tests.files[0] ? relative(this.ctx.cwd, tests.files[0]) : null,
      },
      records: {
        file: this.ctx.records.file ?? null,
        text: this.recordsText(),
        count: this.ctx.records.records.length,
        diagnostics: this.ctx.records.diagnostics,
      },
      providers: listProviders(),
      journal: this.ctx.journal?.exists ? { file: relative(this.ctx.cwd, this.ctx.journal.file) } : null,
    };
  }

  /** A new map's first text: what `datamap init` writes for the first pack and the first record. */
  private starter(): string {
    const sample = this.ctx.records.records[0];
    const provider = this.ctx.provider ?? listProviders()[0] ?? 'revolv3';
    return initDataMap({ provider, outFile: this.ctx.map.path, ...(sample !== undefined ? { sample } : {}) }).text;
  }

  /** GET /api/map: what is on disk now (to reload after a change). */
  mapOnDisk(): Record<string, unknown> {
    const disk = this.ctx.map.read();
    return { file: this.mapName, exists: disk.text !== undefined, text: this.vault.mask(disk.text ?? ''), version: disk.version };
  }

  private recordsText(): string {
    const rs = this.ctx.records.records.map(maskRecord);
    if (rs.length === 0) return '{}\n';
    return JSON.stringify(rs.length === 1 ? rs[0] : rs, null, 2) + '\n';
  }

  /** The map text the page sent, checked (the last text's result is kept: typing re-sends it). */
  private check(body: Record<string, unknown>): { text: string; map?: CompiledMap; diagnostics: Diagnostic[] } {
    const sent = body['text'];
    if (typeof sent !== 'string') throw badRequest('text (the Data Map, as a string) is required');
    const text = this.vault.restore(sent);
    if (this.cache?.text === text) return this.cache;
    const r = checkDataMap({ text, file: this.mapName });
    this.cache = { text, diagnostics: r.diagnostics, ...(r.map ? { map: r.map } : {}) };
    return this.cache;
  }

  /** The page's records (text), parsed with locations, masked values restored; and the chosen one. */
  private async records(body: Record<string, unknown>): Promise<{ diagnostics: Diagnostic[]; values: Array<{ index: number; line: number; value: unknown }>; chosen?: { index: number; line: number; value: unknown } }> {
    const text = body['records'];
    const want = body['record'] ?? 0;
    if (text !== undefined && typeof text !== 'string') throw badRequest('records must be the records text (JSON object, array or NDJSON)');
    if (typeof want !== 'number' || !Number.isInteger(want) || want < 0) throw badRequest('record must be a record index (0-based)');
    const parsed = text === undefined
      ? { values: this.ctx.records.records.map((value, index) => ({ index, line: 0, value })), diagnostics: [] }
      : await parseRecordsText(text, 'records');
    const values = parsed.values.map((v) => ({ ...v, value: restoreRecord(v.value, this.ctx.records.records[v.index]) }));
    const chosen = values.find((v) => v.index === want) ?? values[0];
    return { diagnostics: parsed.diagnostics, values, ...(chosen ? { chosen } : {}) };
  }

  /**
   * POST /api/evaluate { text, records?, record? }: the map's diagnostics (what validate
   * reports), each record's verdict, and for the chosen record its plan (what plan prints) and
   * its explanation (what explain prints).
   */
  async evaluate(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const checked = this.check(body);
    const recs = await this.records(body);
    const out: Record<string, unknown> = {
      diagnostics: checked.diagnostics,
      valid: checked.map !== undefined && !hasErrors(checked.diagnostics),
      records: { diagnostics: recs.diagnostics, items: [] as unknown[] },
      steps: checked.map ? checked.map.steps.map((s) => ({ id: s.id, operation: s.operation.id, provider: checked.map!.provider.pack.name })) : [],
    };
    const map = checked.map;
    if (!map) return out;
    const now = this.ctx.clock();
    const items: unknown[] = [];
    for (const v of recs.values.slice(0, MAX_SUMMARY)) {
      const p = await planRecord(map, v.value, { clock: { now: () => now }, index: v.index });
      items.push({ index: v.index, line: v.line, ...(p.key !== undefined ? { key: p.key } : {}), ok: p.ok });
    }
    (out['records'] as { items: unknown[] }).items = items;
    if (!recs.chosen) return out;
    out['record'] = recs.chosen.index;
    out['plan'] = await planRecord(map, recs.chosen.value, { clock: { now: () => now }, index: recs.chosen.index });
    out['explanation'] = await explainRecord(map, recs.chosen.value, { clock: { now: () => now }, index: recs.chosen.index });
    return out;
  }

  /** GET /api/providers and /api/providers/:name/:operation: the reference `datamap providers` prints. */
  providers(name?: string, operation?: string): unknown {
    if (name === undefined) return { providers: describeProviders() };
    if (operation === undefined) throw badRequest('give both the provider and the operation');
    return describeOperation(name, operation);
  }

  /** POST /api/tests { text, filter? }: the map's test file run against the map as edited. */
  async tests(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const checked = this.check(body);
    const found = findDataMapTests([this.ctx.map.path]);
    const file = found.files[0];
    if (!file) return { ran: false, diagnostics: found.diagnostics };
    if (!checked.map || hasErrors(checked.diagnostics)) {
      return { ran: false, file: relative(this.ctx.cwd, file), diagnostics: [diagnostic('test/invalid-file', 'The Data Map has errors; fix them to run its tests', { hint: 'The markers in the editor show each error.' })] };
    }
    const filter = body['filter'];
    const report = await runDataMapTest(file, { map: checked.map, ...(typeof filter === 'string' && filter ? { filter } : {}) });
    return { ran: true, ...report, file: relative(this.ctx.cwd, file) };
  }

  /**
   * POST /api/try { text, records?, record? }: runs the chosen record through the real executor
   * against the built-in sandbox in this process, and returns the result (every call's request
   * and response, redacted) and the ledger entries the run added.
   */
  async try(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const checked = this.check(body);
    const recs = await this.records(body);
    if (!checked.map || hasErrors(checked.diagnostics)) {
      return { ran: false, diagnostics: [diagnostic('run/not-planned', 'The Data Map has errors, so nothing was sent', { hint: 'Fix the errors the editor marks, then try again.' })] };
    }
    if (!recs.chosen) return { ran: false, diagnostics: [diagnostic('usage/input', 'There is no record to try', { hint: 'Write a record (a JSON object) in the records editor.' })] };
    const map = checked.map;
    const record = recs.chosen;
    return this.serial(async () => {
      const sandbox = await this.startSandbox();
      const baseUrl = (sandbox.baseUrls as Record<string, string>)[map.provider.pack.name];
      if (!baseUrl) return { ran: false, diagnostics: [diagnostic('transport/host-not-allowed', `The built-in sandbox has no ${map.provider.pack.title} simulator`)] };
      const before = sandbox.ledger().length;
      let result: RecordResult | undefined;
      for await (const r of runRecords(map, recordItems([record.value]), { baseUrl, credentials: { ...sandbox.credentials }, env: {}, timeoutMs: 10_000 })) result = r;
      const ledger: LedgerEntry[] = sandbox.ledger();
      return { ran: true, record: record.index, baseUrl, result, ledger: ledger.slice(before), ledgerTotal: ledger.length };
    });
  }

  /** POST /api/sandbox/reset: forgets the sandbox's state and ledger. */
  async resetSandbox(): Promise<Record<string, unknown>> {
    if (this.sandbox) (await this.sandbox).reset();
    return { reset: true };
  }

  /** GET /api/sandbox/ledger: the whole ledger. */
  async ledger(): Promise<Record<string, unknown>> {
    return { ledger: this.sandbox ? (await this.sandbox).ledger() : [] };
  }

  /** POST /api/save { text, version, overwrite? }: writes the map; the only way the file changes. */
  save(body: Record<string, unknown>): Record<string, unknown> {
    const sent = body['text'];
    const version = body['version'];
    if (typeof sent !== 'string') throw badRequest('text (the Data Map, as a string) is required');
    if (version !== undefined && typeof version !== 'string') throw badRequest('version must be the version the page loaded');
    const text = this.vault.restore(sent);
    const saved = this.ctx.map.save(text, version, body['overwrite'] === true);
    this.vault.mask(text);
    return { saved: true, file: this.mapName, version: saved };
  }

  /** GET /api/journal: the runs; GET /api/journal/runs/:id?state=: one run's records by state. Read-only. */
  async journal(runId?: string, state?: string): Promise<Record<string, unknown>> {
    const j = this.ctx.journal;
    if (!j || !j.exists) return { available: false, file: j ? relative(this.ctx.cwd, j.file) : null };
    if (state !== undefined && !JOURNAL_STATES.includes(state)) throw badRequest(`"${state}" is not a record state (${JOURNAL_STATES.join(', ')})`);
    const file = relative(this.ctx.cwd, j.file);
    return runId === undefined ? { available: true, file, states: JOURNAL_STATES, ...(await j.runs()) } : { available: true, file, ...(await j.run(runId, state)) };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private startSandbox(): Promise<Sandbox> {
    this.sandbox ??= startSandbox({ seed: 'studio' });
    return this.sandbox;
  }

  async close(): Promise<void> {
    if (this.sandbox) await (await this.sandbox).close();
  }
}

function badRequest(message: string): DatamapError {
  return new DatamapError(diagnostic('studio/bad-request', message));
}
