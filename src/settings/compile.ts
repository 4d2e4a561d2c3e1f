import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { compileUserSchema } from '../schemas/ajv.js';
import type { PathSegment } from '../source/pointer.js';
import type { SourceDocument } from '../source/yaml-document.js';
import type { CompiledSetting, SettingSpec } from './types.js';

const DEFAULT_SCHEMA = { type: 'string', minLength: 1 };

/** Compiles the `settings:` declarations of a Data Map (their value schemas once each). */
export function compileSettings(raw: unknown, source: SourceDocument, diagnostics: Diagnostic[]): CompiledSetting[] {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const out: CompiledSetting[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const path: PathSegment[] = ['settings', name];
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue; // the Data Map schema reports it
    const spec = value as SettingSpec;
    try {
      const validate = compileUserSchema(spec.schema ?? DEFAULT_SCHEMA);
      for (const [field, v] of [['default', spec.default], ['example', spec.example]] as const) {
        if (v !== undefined && !validate(v)) {
          diagnostics.push(diagnostic('settings/invalid', `Setting ${name}: its ${field} does not match its schema`, { location: source.locate([...path, field]) }));
        }
      }
      out.push({ name, spec, validate });
    } catch (err) {
      diagnostics.push(diagnostic('datamap/schema', `settings.${name}.schema is not a valid JSON Schema: ${(err as Error).message}`, { location: source.locate([...path, 'schema']) }));
    }
  }
  return out;
}

/** `$settings.<name>` references in an expression's text, with their offsets. */
export function settingRefs(text: string): Array<{ name: string; offset: number }> {
  return [...text.matchAll(/\$settings\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({ name: m[1]!, offset: m.index + '$settings.'.length }));
}
