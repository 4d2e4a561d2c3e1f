import type { CompiledMap } from '../datamap/types.js';

const cache = new WeakMap<Record<string, unknown>, { settings: CompiledMap['settings']; secrets: readonly string[] }>();
const NONE: readonly string[] = [];

/**
 * The values of the map's bound settings that are declared `secret: true` (what a scrubber must
 * hide by value wherever a map puts them: a body field, a URL, a header, an error message). Read
 * from the map itself, so a map bound by `withSettings` in the library is covered the same way as
 * one bound by `plan` or `run`; worked out once per set of bound values.
 */
export function settingSecrets(map: CompiledMap): readonly string[] {
  const values = map.settingValues;
  if (values === undefined || map.settings.length === 0) return NONE;
  const hit = cache.get(values);
  if (hit !== undefined && hit.settings === map.settings) return hit.secrets;
  const found: string[] = [];
  for (const s of map.settings) {
    if (!s.spec.secret) continue;
    const v = values[s.name];
    if (typeof v === 'string' || typeof v === 'number') found.push(String(v));
  }
  const secrets = found.length === 0 ? NONE : found;
  cache.set(values, { settings: map.settings, secrets });
  return secrets;
}
