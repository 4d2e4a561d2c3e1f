import type { CompiledMap } from '../datamap/types.js';
import { DatamapError, diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { formatPath, toViolations } from '../schemas/ajv-diagnostics.js';
import type { CompiledSetting, SettingsInput } from './types.js';

/** Resolved setting values, and the secret ones (to mask by value). */
export interface ResolvedSettings {
  values: Record<string, unknown>;
  secrets: string[];
  diagnostics: Diagnostic[];
}

/**
 * Resolves every declared setting of a map: `--set` first, then the environment, then the
 * default. `plan` mode falls back to a declared `example` (with a warning) so a dry run works
 * before the values are known; `run` mode reports every missing or invalid value as an error.
 */
export function resolveSettings(map: CompiledMap, input: SettingsInput = {}, mode: 'run' | 'plan' = 'run'): ResolvedSettings {
  const declared = map.settings ?? [];
  const env = input.env ?? process.env;
  const provider = map.provider.pack.name;
  const out: ResolvedSettings = { values: {}, secrets: [], diagnostics: [] };
  const given = new Map<string, unknown>();
  for (const [raw, value] of Object.entries(input.set ?? {})) {
    const name = raw.startsWith(`${provider}.`) ? raw.slice(provider.length + 1) : raw;
    if (!declared.some((s) => s.name === name)) {
      out.diagnostics.push(diagnostic('settings/unknown', `--set ${raw}: ${map.name} declares no setting "${name}"`, {
        hint: declared.length ? `Settings of this map: ${declared.map((s) => `${provider}.${s.name}`).join(', ')}.` : 'This Data Map declares no settings.',
      }));
      continue;
    }
    given.set(name, value);
  }
  for (const s of declared) {
    let value: unknown;
    let from: string;
    if (given.has(s.name)) {
      value = coerce(s, given.get(s.name));
      from = `--set ${provider}.${s.name}`;
    } else if (s.spec.env && env[s.spec.env] !== undefined && env[s.spec.env] !== '') {
      value = coerce(s, env[s.spec.env]);
      from = `environment variable ${s.spec.env}`;
    } else if (s.spec.default !== undefined) {
      value = s.spec.default;
      from = 'its default';
    } else if (mode === 'plan' && s.spec.example !== undefined) {
      value = s.spec.example;
      from = 'its example';
      out.diagnostics.push(diagnostic('settings/missing', `Setting ${s.name} is not set; the plan shows its example value`, { severity: 'warning', hint: howToSet(s, provider) }));
    } else {
      out.diagnostics.push(diagnostic('settings/missing', `Setting ${s.name}${s.spec.description ? ` (${s.spec.description})` : ''} is not set`, { hint: howToSet(s, provider) }));
      continue;
    }
    if (!s.validate(value)) {
      const why = toViolations(s.validate.errors).map((v) => `${formatPath(v.path) === '' ? '' : formatPath(v.path) + ' '}${v.message}`).join('; ');
      out.diagnostics.push(diagnostic('settings/invalid', `Setting ${s.name} from ${from} is invalid: ${why}`, { hint: howToSet(s, provider) }));
      continue;
    }
    out.values[s.name] = value;
    if (s.spec.secret && typeof value === 'string') out.secrets.push(value);
  }
  return out;
}

/** Like {@link resolveSettings} in run mode, but throws every error at once (before any call). */
export function resolveSettingsOrThrow(map: CompiledMap, input: SettingsInput = {}): ResolvedSettings {
  const r = resolveSettings(map, input, 'run');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new DatamapError(errors);
  return r;
}

function howToSet(s: CompiledSetting, provider: string): string {
  const ways = [`--set ${provider}.${s.name}=<value>`];
  if (s.spec.env) ways.push(`the environment variable ${s.spec.env}`);
  return `Give it with ${ways.join(' or ')}.`;
}

/** Text from the command line or the environment, read as the type the setting's schema asks for. */
function coerce(s: CompiledSetting, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const type = s.spec.schema?.type;
  if ((type === 'number' || type === 'integer') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  if ((type === 'object' || type === 'array') && /^[[{]/.test(value.trim())) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}
