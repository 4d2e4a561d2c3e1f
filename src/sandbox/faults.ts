/**
 * Fault injection: rules added at run time (library or admin API), the per-request
 * `x-sandbox-fault` header, and the catalogue fault amounts. The pipeline decides what a
 * fault does; this file only decides which fault (if any) applies to a request.
 */
import { ApiError } from './errors.js';
import { faultKindForAmount } from './test-cards.js';
import type { FaultKind, FaultRule, ProviderName } from './types.js';

/** All fault kinds, in catalogue order. */
export const FAULT_KINDS: readonly FaultKind[] = Object.freeze([
  'latency',
  'error-before',
  'error-after',
  'reset-after',
  'slow-body',
  'unavailable',
  'rate-limit',
]);

/** Delay used by `latency` and `slow-body` when no `latencyMs` is given. */
export const DEFAULT_FAULT_LATENCY_MS = 50;

/** Longest delay accepted, so a typo cannot hang a test run. */
const MAX_LATENCY_MS = 60_000;

/** The header that injects a fault into one request. */
export const FAULT_HEADER = 'x-sandbox-fault';

/** A fault chosen for one request. */
export interface ActiveFault {
  kind: FaultKind;
  latencyMs: number;
  source: 'header' | 'rule' | 'amount';
}

/** What a rule is matched against. */
export interface FaultTarget {
  provider: ProviderName;
  method: string;
  /** Provider-relative path, e.g. `/api/Payments/sale`. */
  path: string;
  /** Full path, e.g. `/revolv3/api/Payments/sale`. */
  fullPath: string;
}

function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

function checkLatency(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_FAULT_LATENCY_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LATENCY_MS) {
    throw new ApiError(400, `Invalid latencyMs in ${where}`, [`latencyMs must be an integer from 0 to ${MAX_LATENCY_MS}`]);
  }
  return value;
}

/** Parses `x-sandbox-fault: <kind>[;latencyMs=N]`. Throws a 400 ApiError when malformed. */
export function parseFaultHeader(value: string): ActiveFault {
  const [kindPart, ...params] = value.split(';').map((p) => p.trim());
  if (!isFaultKind(kindPart)) {
    throw new ApiError(400, `Unknown sandbox fault "${kindPart ?? ''}"`, [`${FAULT_HEADER} must be one of: ${FAULT_KINDS.join(', ')}`]);
  }
  let latency: unknown;
  for (const p of params) {
    if (p === '') continue;
    const [k, v] = p.split('=').map((s) => s.trim());
    if (k?.toLowerCase() !== 'latencyms' || v === undefined || !/^\d+$/.test(v)) {
      throw new ApiError(400, `Invalid ${FAULT_HEADER} parameter "${p}"`, ['the only parameter is latencyMs=<integer>']);
    }
    latency = Number(v);
  }
  return { kind: kindPart, latencyMs: checkLatency(latency, FAULT_HEADER), source: 'header' };
}

/** Validates an untrusted fault rule (admin API body or library call). Throws a 400 ApiError. */
export function validateFaultRule(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ApiError(400, 'A fault rule must be a JSON object', ['body: expected an object']);
  }
  const r = input as Record<string, unknown>;
  const errors: string[] = [];
  if (!isFaultKind(r.kind)) errors.push(`kind: must be one of ${FAULT_KINDS.join(', ')}`);
  if (r.provider !== undefined && r.provider !== 'revolv3' && r.provider !== 'invoiss') errors.push('provider: must be revolv3 or invoiss');
  if (r.path !== undefined && typeof r.path !== 'string' && !(r.path instanceof RegExp)) errors.push('path: must be a string');
  if (r.method !== undefined && typeof r.method !== 'string') errors.push('method: must be a string');
  if (r.times !== undefined && (typeof r.times !== 'number' || !Number.isInteger(r.times) || r.times < 1)) errors.push('times: must be a positive integer');
  if (errors.length > 0) throw new ApiError(400, 'Invalid fault rule', errors);
  const rule: FaultRule = { kind: r.kind as FaultKind, latencyMs: checkLatency(r.latencyMs, 'fault rule'), times: (r.times as number | undefined) ?? 1 };
  if (r.provider !== undefined) rule.provider = r.provider as ProviderName;
  if (r.path !== undefined) rule.path = r.path as string | RegExp;
  if (r.method !== undefined) rule.method = r.method as string;
  if (typeof rule.path === 'string') compilePath(rule.path); // fail early on a bad regex
  return rule;
}

/** `/body/flags` → RegExp (always case-insensitive); anything else → lower-cased substring. */
function compilePath(path: string | RegExp): RegExp | string {
  if (path instanceof RegExp) return new RegExp(path.source, path.flags.includes('i') ? path.flags : `${path.flags}i`);
  const m = /^\/(.+)\/([imsu]*)$/.exec(path);
  if (m?.[1] !== undefined) {
    try {
      return new RegExp(m[1], `${m[2] ?? ''}${(m[2] ?? '').includes('i') ? '' : 'i'}`);
    } catch {
      throw new ApiError(400, 'Invalid fault rule', [`path: invalid regular expression ${path}`]);
    }
  }
  return path.toLowerCase();
}

function pathMatches(pattern: RegExp | string, target: FaultTarget): boolean {
  const candidates = [target.path, target.fullPath];
  if (typeof pattern === 'string') return candidates.some((c) => c.toLowerCase().includes(pattern));
  return candidates.some((c) => pattern.test(c));
}

interface StoredRule {
  rule: FaultRule;
  remaining: number;
  path: RegExp | string | undefined;
}

/** The fault rules of one sandbox, consumed as they fire. */
export class FaultStore {
  private rules: StoredRule[] = [];

  /** Adds a validated rule. */
  add(input: unknown): FaultRule {
    const rule = validateFaultRule(input);
    this.rules.push({ rule, remaining: rule.times ?? 1, path: rule.path === undefined ? undefined : compilePath(rule.path) });
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  /** Rules still active, with `times` showing what is left. */
  list(): FaultRule[] {
    return this.rules.map((s) => ({ ...s.rule, path: s.rule.path instanceof RegExp ? String(s.rule.path) : s.rule.path, times: s.remaining }));
  }

  /** The first rule matching the target, consumed once; undefined when none match. */
  take(target: FaultTarget): ActiveFault | undefined {
    const index = this.rules.findIndex((s) => this.matches(s, target));
    const stored = this.rules[index];
    if (stored === undefined) return undefined;
    stored.remaining -= 1;
    if (stored.remaining <= 0) this.rules.splice(index, 1);
    return { kind: stored.rule.kind, latencyMs: stored.rule.latencyMs ?? DEFAULT_FAULT_LATENCY_MS, source: 'rule' };
  }

  private matches(s: StoredRule, target: FaultTarget): boolean {
    const { rule } = s;
    if (rule.provider !== undefined && rule.provider !== target.provider) return false;
    if (rule.method !== undefined && rule.method.toUpperCase() !== target.method.toUpperCase()) return false;
    if (s.path !== undefined && !pathMatches(s.path, target)) return false;
    return true;
  }
}

/**
 * The fault for one request: the header wins, then the first matching rule, then the
 * catalogue amount. Throws a 400 ApiError for a malformed header.
 */
export function chooseFault(
  headerValue: string | undefined,
  store: FaultStore,
  target: FaultTarget,
  amount: number | undefined,
): ActiveFault | undefined {
  if (headerValue !== undefined && headerValue.trim() !== '') return parseFaultHeader(headerValue);
  const fromRule = store.take(target);
  if (fromRule) return fromRule;
  const kind = amount === undefined ? undefined : faultKindForAmount(amount);
  return kind === undefined ? undefined : { kind, latencyMs: DEFAULT_FAULT_LATENCY_MS, source: 'amount' };
}
