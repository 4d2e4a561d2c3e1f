import type { CompiledMap } from '../datamap/types.js';
import type { Clock } from '../executor/clock.js';
import { DatamapError, diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { checkRecordKeys, type RecordItem } from '../source/read-records.js';
import { environmentChoices } from '../datamap/compile.js';
import { resolveSettings } from '../settings/resolve.js';
import { withSettings } from '../settings/with-settings.js';
import type { SettingsInput } from '../settings/types.js';
import { planRecordRawNow, type PlanOptions } from './plan-record.js';
import { isThenable } from '../expressions/plain-json.js';
import { viewPlan, type RecordPlanView } from './view.js';

/**
 * The clock a dry run reads: the same {@link Clock} object `runRecords` takes (a plan only calls
 * `now()`, once per record). A bare `() => number` is still accepted for compatibility.
 */
export type PlanClock = Pick<Clock, 'now'> | (() => number);

/** Milliseconds since the epoch from a plan clock (Date.now without one). */
export function readClock(clock: PlanClock | undefined): number {
  if (clock === undefined) return Date.now();
  return typeof clock === 'function' ? clock() : clock.now();
}

/** Options of a dry run. */
export interface PlanRunOptions {
  /** Clock for `$now()`: `{ now() }` giving ms since epoch, read once per record. Defaults to the system clock. */
  clock?: PlanClock;
  /** Send every call to this base URL instead of the environment's. */
  baseUrl?: string;
  /** Where the map's declared settings come from (`--set` values, environment); a missing one stops the plan, unless it declares an example. */
  settings?: SettingsInput;
}

/** Plans one record and returns the printable (redacted) plan. */
export async function planRecord(map: CompiledMap, record: unknown, options: PlanRunOptions & { index?: number; line?: number; checked?: boolean } = {}): Promise<RecordPlanView> {
  let warnings: Diagnostic[] = [];
  if (map.settingValues === undefined) ({ map, warnings } = planSettings(map, options.settings, options.baseUrl));
  const view = await planOne(map, record, options);
  if (warnings.length) view.diagnostics.push(...warnings);
  return view;
}

/** Binds the map's settings for a dry run: errors throw (before any record), warnings are returned. */
function planSettings(map: CompiledMap, input: SettingsInput | undefined, baseUrl: string | undefined): { map: CompiledMap; warnings: Diagnostic[] } {
  if (!map.provider.baseUrl && !baseUrl) {
    throw new DatamapError(diagnostic('run/environment-required', `${map.provider.pack.title} has no default environment and ${map.name} names none`, { hint: environmentChoices(map.provider.pack) }));
  }
  if (map.settings.length === 0) return { map: withSettings(map, {}), warnings: [] };
  const r = resolveSettings(map, input, 'plan');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new DatamapError(errors);
  return { map: withSettings(map, r.values), warnings: r.diagnostics };
}

async function planOne(map: CompiledMap, record: unknown, options: PlanRunOptions & { index?: number; line?: number; checked?: boolean }): Promise<RecordPlanView> {
  const opts: PlanOptions = { now: readClock(options.clock), index: options.index ?? 0 };
  if (options.checked) opts.checked = true;
  if (options.baseUrl) opts.baseUrl = options.baseUrl;
  if (options.line !== undefined) opts.line = options.line;
  let raw = planRecordRawNow(map, record, opts);
  if (isThenable(raw)) raw = await raw;
  return viewPlan(map, raw);
}

/**
 * Plans a stream of records one at a time (memory stays flat). A record that cannot be read
 * or planned is yielded with its diagnostics; the others go on.
 */
export async function* planRecords(map: CompiledMap, records: AsyncIterable<RecordItem> | Iterable<RecordItem>, options: PlanRunOptions = {}): AsyncGenerator<RecordPlanView> {
  const planner = new RecordPlanner(map, options);
  if (isSyncIterable(records)) {
    // as `for await` would take them (a promise among the items is awaited), with no turn of
    // the microtask queue per item
    for (let it of records) {
      if (isThenable(it)) it = (await it) as RecordItem;
      let view = planner.plan(it);
      if (isThenable(view)) view = await view;
      yield view;
    }
    return;
  }
  for await (const it of records) {
    let view = planner.plan(it);
    if (isThenable(view)) view = await view;
    yield view;
  }
}

function isSyncIterable(v: unknown): v is Iterable<RecordItem> {
  return v !== null && typeof v === 'object' && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function';
}

/**
 * What `planRecords` does with each record, for callers that hold many records at once (the
 * CLI plans each chunk it reads this way): the map's settings are bound when it is made
 * (errors throw then, warnings go on every record's view), and `plan` gives a record's view
 * synchronously unless an expression returns a promise (the jsonata fallback).
 */
export class RecordPlanner {
  private readonly map: CompiledMap;
  private readonly warnings: Diagnostic[];

  constructor(map: CompiledMap, private readonly options: PlanRunOptions = {}) {
    let warnings: Diagnostic[] = [];
    if (map.settingValues === undefined) ({ map, warnings } = planSettings(map, options.settings, options.baseUrl));
    this.map = map;
    this.warnings = warnings;
  }

  /**
   * The view of one read record (or of the reason it could not be read). `checked`: the caller
   * read the record itself with a reader that checked it for forbidden keys (the CLI).
   */
  plan(it: RecordItem, checked = false): RecordPlanView | Promise<RecordPlanView> {
    if (it.error) {
      const view: RecordPlanView = { index: it.index, ok: false, diagnostics: [it.error], steps: [] };
      if (it.line !== undefined) view.line = it.line;
      return view;
    }
    // records read by readRecords or recordItems were checked then (and are not walked again)
    const opts: PlanOptions = { now: readClock(this.options.clock), index: it.index };
    if (this.options.baseUrl) opts.baseUrl = this.options.baseUrl;
    if (it.line !== undefined) opts.line = it.line;
    if (checked) opts.checked = true;
    const raw = planRecordRawNow(this.map, it.value, opts);
    return isThenable(raw) ? raw.then((r) => this.finish(r)) : this.finish(raw);
  }

  private finish(raw: Parameters<typeof viewPlan>[1]): RecordPlanView {
    const view = viewPlan(this.map, raw);
    if (this.warnings.length) view.diagnostics.push(...this.warnings);
    return view;
  }
}

/** Wraps plain values (e.g. an array of records in memory) as record items. */
export function* recordItems(values: Iterable<unknown>): Generator<RecordItem> {
  let index = 0;
  for (const value of values) {
    const bad = checkRecordKeys(value);
    if (bad) yield { index, line: 0, error: diagnostic('record/forbidden-key', `Record ${index + 1} has a key named "${bad}"`) };
    else yield { index, line: 0, value };
    index++;
  }
}
