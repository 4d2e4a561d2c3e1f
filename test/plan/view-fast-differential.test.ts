/**
 * The plan view (src/plan/view.ts) builds what it shows in one walk and skips the full scrub
 * when a quick check finds nothing that could need hiding. Differential, over every shipped
 * map, on seeded hostile records (card numbers in free text and as numbers, security codes,
 * secrets equal to header names, body keys and the map's fixed text, URL user info, U+0000,
 * unicode, deep nesting, long strings): the view equals the full scrub of the unscrubbed view
 * built the slow way (view-oracle.ts), and the view's own full-scrub path gives the same. The
 * seed is printed on failure; DATAMAP_VIEW_SEED=<n> runs one seed again.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScrubber, findCardNumbers, loadDataMap, resolveSettings, withSettings } from '../../src/index.js';
import type { CompiledMap } from '../../src/datamap/types.js';
import { planRecordRawNow, type RecordPlanRaw } from '../../src/plan/plan-record.js';
import { viewPlan } from '../../src/plan/view.js';
import { rng } from '../expressions/generator.js';
import { exampleRecords, pick, type R } from '../helpers/example-records.js';
import { fullyScrubbedView, HOSTILE_NUMBERS, HOSTILE_STRINGS, SENSITIVE_NAMES, textsOf, unscrubbedView } from './view-oracle.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAPS = readdirSync(join(repoRoot, 'mappings')).filter((f) => f.endsWith('.yaml') && !f.includes('.test.')).sort();
const NOW = Date.UTC(2026, 10, 21);
const RECORDS_PER_MAP = Number(process.env.DATAMAP_VIEW_RECORDS ?? 700);
const SEED = Number(process.env.DATAMAP_VIEW_SEED ?? 20261203);


function bound(file: string): CompiledMap {
  const map = loadDataMap({ file: join(repoRoot, 'mappings', file) });
  return map.settings.length ? withSettings(map, resolveSettings(map, undefined, 'plan').values) : withSettings(map, {});
}

function plan(map: CompiledMap, record: unknown, index: number, checked: boolean): RecordPlanRaw {
  const raw = planRecordRawNow(map, record, { now: NOW, index, line: index + 1, checked });
  if (raw instanceof Promise) throw new Error('a shipped map planned asynchronously');
  return raw;
}

/** Where a record holds a value: its holder and key (or index). */
interface Slot { holder: Record<string, unknown> | unknown[]; key: string | number }

function slots(v: unknown, out: Slot[] = [], depth = 0): Slot[] {
  if (depth > 8 || v === null || typeof v !== 'object') return out;
  if (Array.isArray(v)) v.forEach((x, i) => { out.push({ holder: v, key: i }); slots(x, out, depth + 1); });
  else for (const [k, x] of Object.entries(v)) { out.push({ holder: v as Record<string, unknown>, key: k }); slots(x, out, depth + 1); }
  return out;
}

const set = (s: Slot, x: unknown): void => { (s.holder as Record<string | number, unknown>)[s.key] = x; };
const get = (s: Slot): unknown => (s.holder as Record<string | number, unknown>)[s.key];

/** Hostile text: one of the pool, a fixed text of the map, or two of them joined. */
function hostileString(r: R, fixed: readonly string[]): string {
  const one = (): string => (r() < 0.35 ? pick(r, fixed) : pick(r, HOSTILE_STRINGS));
  const k = r();
  if (k < 0.2) return `${one()}${pick(r, ['', ' ', '\u0000', '/', '@', '://', '-', '"'])}${one()}`;
  if (k < 0.25) return ` ${one()} `;
  return one();
}

function hostileValue(r: R, fixed: readonly string[], depth: number): unknown {
  const k = r();
  if (depth < 4 && k < 0.1) return [hostileValue(r, fixed, depth + 1), hostileValue(r, fixed, depth + 1)];
  if (depth < 4 && k < 0.2) return { [pick(r, SENSITIVE_NAMES)]: hostileValue(r, fixed, depth + 1), [hostileString(r, fixed)]: hostileValue(r, fixed, depth + 1) };
  if (k < 0.35) return pick(r, HOSTILE_NUMBERS);
  return hostileString(r, fixed);
}

/** An object nested `n` deep, with a sensitively named field (and hostile text) at the bottom. */
function deep(r: R, fixed: readonly string[], n: number): unknown {
  let v: unknown = { [pick(r, SENSITIVE_NAMES)]: hostileValue(r, fixed, 4), note: hostileString(r, fixed) };
  for (let i = 0; i < n; i++) v = r() < 0.2 ? [v] : { [pick(r, ['a', 'cvv', 'x/y', 'b~c', hostileString(r, fixed)])]: v };
  return v;
}

/**
 * A hostile copy of `base`: leaves replaced (mostly where the record stays valid, so the quick
 * check is what decides), sensitively named fields added anywhere, values equal to what the
 * view shows, deep and long parts.
 */
function hostile(r: R, base: Record<string, unknown>, fixed: readonly string[], safe: readonly string[]): Record<string, unknown> {
  const rec = structuredClone(base);
  const all = slots(rec);
  const leaves = all.filter((s) => { const v = get(s); return v === null || typeof v !== 'object'; });
  const safeLeaves = leaves.filter((s) => safe.includes(slotPath(rec, s)));
  const n = Math.floor(r() * 4);
  for (let j = 0; j < n; j++) {
    const k = r();
    if (k < 0.45 && safeLeaves.length > 0) set(pick(r, safeLeaves), hostileString(r, fixed));
    else if (k < 0.55 && leaves.length > 0) set(pick(r, leaves), hostileValue(r, fixed, 2));
    else {
      const holders = all.map((s) => get(s)).filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v));
      const h = holders.length > 0 && r() < 0.8 ? pick(r, holders) : rec;
      h[r() < 0.8 ? pick(r, SENSITIVE_NAMES) : hostileString(r, fixed)] = r() < 0.1 ? deep(r, fixed, pick(r, [20, 70, 99, 101, 130])) : hostileValue(r, fixed, 0);
    }
  }
  // free-form fields that reach a body whole (field-service → Invoiss: metadata.technician)
  if ('technician' in rec || r() < 0.3) rec.technician = r() < 0.15 ? deep(r, fixed, pick(r, [3, 50, 99, 100, 101, 102, 140])) : hostileValue(r, fixed, 0);
  return rec;
}

/** The path of a slot in `rec` (keys joined by '.'), found by identity. */
function slotPath(rec: unknown, s: Slot): string {
  const walk = (v: unknown, path: string): string | undefined => {
    if (v === s.holder) return `${path}.${s.key}`;
    if (v === null || typeof v !== 'object') return undefined;
    for (const [k, x] of Object.entries(v)) {
      const p = walk(x, `${path}.${k}`);
      if (p) return p;
    }
    return undefined;
  };
  return walk(rec, '') ?? '';
}

describe('plan view: the quick path shows exactly what the full scrub shows', () => {
  it.each(MAPS)('%s: seeded hostile records', async (file) => {
    const map = bound(file);
    const bases = await exampleRecords(file, map);
    // the texts a view of the map shows (header names and values, body keys, ids, operations, conditions)
    const fixedSet = new Set<string>();
    for (const b of bases) textsOf(unscrubbedView(map, plan(map, structuredClone(b), 0, true)), fixedSet);
    for (const x of ['Content-Type', 'application/json', 'Accept', 'POST', 'GET', 'url', 'headers', 'body']) fixedSet.add(x);
    const fixed = [...fixedSet].filter((x) => x.length >= 3 && x.length < 200);
    // per base record: the string leaves where hostile text keeps the record valid
    const safe = bases.map((b) => {
      const rec = structuredClone(b);
      return slots(rec).filter((s) => typeof get(s) === 'string').map((s) => {
        const was = get(s);
        set(s, 'Bearer abcdefghijklmnop 4111111111111111');
        const ok = plan(map, structuredClone(rec), 0, true).context.diagnostics.length === 0;
        set(s, was);
        return ok ? slotPath(rec, s) : '';
      }).filter(Boolean);
    });

    const seed = SEED + MAPS.indexOf(file);
    const r = rng(seed);
    let quick = 0;
    for (let i = 0; i < RECORDS_PER_MAP; i++) {
      const b = Math.floor(r() * bases.length);
      const record = hostile(r, bases[b]!, fixed, safe[b]!);
      const raw = plan(map, record, i, r() < 0.5);
      const where = `seed ${seed} (DATAMAP_VIEW_SEED=${SEED}), ${file}, record ${i}: ${JSON.stringify(record).slice(0, 3000)}`;
      const want = fullyScrubbedView(map, raw);
      const got = viewPlan(map, raw);
      if (raw.context.diagnostics.length === 0 && raw.steps.every((s) => s.diagnostics.length === 0)) quick++;
      expect(JSON.stringify(got), where).toBe(JSON.stringify(want));
      expect(got, where).toEqual(want);
      // the view's own full path (a parent scrubber forces it) gives the same
      expect(JSON.stringify(viewPlan(map, raw, createScrubber())), where).toBe(JSON.stringify(want));
      expect(findCardNumbers(JSON.stringify(got)), where).toEqual([]);
    }
    // most records reach the quick check (no diagnostics): it is what this test is about
    expect(quick, file).toBeGreaterThan(RECORDS_PER_MAP * 0.4);
  }, 60_000);
});

describe('plan view: bodies that are not plain JSON objects', () => {
  it('own enumerable names only, in Object.keys order (inherited, shadowed, non-enumerable, null-prototype, integer-like names)', () => {
    const file = 'field-service-to-revolv3.yaml';
    const map = bound(file);
    const record = JSON.parse(readFileSync(join(repoRoot, 'examples/field-service/invoices.json'), 'utf8'))[0] as Record<string, unknown>;
    const proto = { inherited: '4111111111111111', cvv: 'shadowed-secret', note: 'from the prototype' };
    const odd = Object.create(proto) as Record<string, unknown>;
    Object.defineProperty(odd, 'cvv', { value: 'hidden-own', enumerable: false });
    Object.defineProperty(odd, 'note', { value: 'not enumerable', enumerable: false });
    odd['2'] = 'two';
    odd.z = '5555 5555 5555 4444';
    odd['1'] = { securityCode: '987', plain: 'x' };
    const bare = Object.create(null) as Record<string, unknown>;
    bare.pan = '4111111111111111';
    bare.b = 'b';
    bare['0'] = 'zero';
    for (const extra of [odd, bare, { a: odd, b: [bare, odd] }]) {
      const raw = plan(map, structuredClone(record), 0, true);
      const ev = raw.steps.find((s) => s.request?.body !== undefined)!;
      (ev.request!.body as Record<string, unknown>).extra = extra;
      const got = viewPlan(map, raw);
      expect(JSON.stringify(got)).toBe(JSON.stringify(fullyScrubbedView(map, raw)));
      expect(JSON.stringify(got)).not.toContain('shadowed-secret');
      expect(JSON.stringify(got)).not.toContain('from the prototype');
    }
  });
});
