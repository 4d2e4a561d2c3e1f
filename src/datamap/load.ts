import { DatamapError } from '../errors/diagnostic.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { readSourceText } from '../source/read-file.js';
import { parseYamlSource } from '../source/yaml-document.js';
import { DEFAULT_LIMITS, type SourceLimits } from '../source/limits.js';
import { compileDataMap } from './compile.js';
import { staticChecks } from '../analysis/static-checks.js';
import { egressFindings } from '../transport/egress.js';
import type { CompiledMap } from './types.js';

/** Where a Data Map comes from: a file path, or text with a name for locations. */
export type DataMapSource = { file: string; text?: undefined } | { text: string; file?: string };

/** Reads and checks a Data Map, returning every finding (errors and warnings) at once. */
export function checkDataMap(src: DataMapSource, limits: SourceLimits = DEFAULT_LIMITS): { map?: CompiledMap; diagnostics: Diagnostic[] } {
  const read = readSourceText(src, limits.maxBytes);
  if (read.diagnostics) return { diagnostics: read.diagnostics };
  const { file, text } = read;
  const result = compileDataMap(parseYamlSource(file, text, limits));
  if (result.map) result.diagnostics.push(...staticChecks(result.map), ...egressFindings(result.map));
  return result;
}

/** Loads a Data Map for planning or running; throws a DatamapError holding every error. */
export function loadDataMap(src: DataMapSource, limits: SourceLimits = DEFAULT_LIMITS): CompiledMap {
  const { map, diagnostics } = checkDataMap(src, limits);
  // a static check that is certain (severity error) stops the map as firmly as a schema error
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!map || errors.length > 0) throw new DatamapError(errors);
  return map;
}
