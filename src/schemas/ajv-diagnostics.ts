import type { ErrorObject } from 'ajv/dist/2020.js';
import { pathFromPointer, type PathSegment } from '../source/pointer.js';

/** One schema violation in plain words, with the path of the offending value. */
export interface Violation {
  /** Path of the offending value (for `additionalProperties`, of the extra property). */
  path: PathSegment[];
  /** True when the path ends at a key that should not be there. */
  atKey: boolean;
  message: string;
  keyword: string;
}

/**
 * Turns AJV errors into violations: drops the umbrella `oneOf`/`anyOf`/`if` errors when a
 * more specific error exists, and folds `enum`/`const`/`additionalProperties` details in.
 */
export function toViolations(errors: readonly ErrorObject[] | null | undefined): Violation[] {
  if (!errors) return [];
  const specific = errors.filter((e) => !['oneOf', 'anyOf', 'if', 'not'].includes(e.keyword));
  const deeper = (o: ErrorObject, e: ErrorObject) => o.instancePath.startsWith(e.instancePath + '/');
  // Inside oneOf/anyOf, a branch's type error says little when another branch matched the type
  // and reported something deeper (of any kind) or sharper at the same place.
  const sharper = specific.filter((e) => !(e.keyword === 'type' && specific.some((o) => o !== e && (deeper(o, e) || (o.keyword !== 'type' && o.instancePath.startsWith(e.instancePath))))));
  const list = sharper.length > 0 ? sharper : errors;
  const isBranchType = (e: ErrorObject) => e.keyword === 'type' && e.schemaPath.includes('/oneOf/');
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const e of list) {
    const path = pathFromPointer(e.instancePath);
    let atKey = false;
    let message = e.message ?? 'is invalid';
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'additionalProperties') {
      path.push(String(p.additionalProperty));
      atKey = true;
      message = `unknown property "${String(p.additionalProperty)}"`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify(p.allowedValue)}`;
    } else if (e.keyword === 'required') {
      message = `missing required property "${String(p.missingProperty)}"`;
    } else if (isBranchType(e) && list.some((o) => o !== e && (deeper(o, e) || (o.instancePath === e.instancePath && !isBranchType(o))))) {
      continue; // the type of one oneOf branch; its sibling's error says more
    }
    const k = `${path.join('/')}|${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ path, atKey, message, keyword: e.keyword });
  }
  if (out.length === 0 && errors.length > 0) {
    // never report "invalid" without saying why
    const e = errors[0]!;
    out.push({ path: pathFromPointer(e.instancePath), atKey: false, message: e.message ?? 'is invalid', keyword: e.keyword });
  }
  return out;
}

/** `['invoice','amount','value']` → `invoice.amount.value`; indexes as `[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s === '' ? '(root)' : s;
}
