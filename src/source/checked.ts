import { findForbiddenKey } from './read-records.js';

// Records (objects) that passed the forbidden-key check: later stages skip the walk.
const checked = new WeakSet<object>();

/**
 * Finds a prototype-polluting key in a record, walking it only once: a record that passed is
 * remembered (by identity, weakly), so planning or running it after reading it costs no
 * second walk. Any other value (a record built by hand) is walked as before.
 */
export function checkRecordKeys(value: unknown): string | undefined {
  const isObject = value !== null && typeof value === 'object';
  if (isObject && checked.has(value)) return undefined;
  const bad = findForbiddenKey(value);
  if (bad === undefined && isObject) checked.add(value);
  return bad;
}
