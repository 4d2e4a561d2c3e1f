/**
 * Embedding datamap from CommonJS: check every shipped Data Map and print one line per map.
 *
 * `datamap-engine` is an ES module; Node 20.19 and later load it with `require()` (which this
 * file compiles to), so CommonJS programs use it as they are. In this repository the tests run
 * it through a packed tarball in a scratch CommonJS project (test/package/pack.test.ts).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkDataMap, listProviders, type Diagnostic } from 'datamap-engine';

/** The folder of the shipped Data Maps, found through the package's exports. */
const MAPPINGS = dirname(require.resolve('datamap-engine/mappings/field-service-to-revolv3.yaml'));

/** One line per shipped map: its file, then ok or its first error. */
export function checkShippedMaps(): string[] {
  const lines: string[] = [`providers: ${listProviders().join(', ')}`];
  for (const f of readdirSync(MAPPINGS).filter((n) => n.endsWith('.yaml') && !n.endsWith('.test.yaml')).sort()) {
    const { map, diagnostics } = checkDataMap({ file: join(MAPPINGS, f) });
    const first: Diagnostic | undefined = diagnostics.find((d) => d.severity === 'error');
    lines.push(`${f}: ${map && !first ? `ok (${map.provider.pack.name}, ${map.steps.length} step${map.steps.length === 1 ? '' : 's'})` : `invalid: ${first?.code ?? '?'}`}`);
  }
  return lines;
}

if (require.main === module) {
  for (const line of checkShippedMaps()) console.log(line);
}
