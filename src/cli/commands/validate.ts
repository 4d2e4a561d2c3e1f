import { checkDataMap, checkDataMapTest, isDataMapTestFile, type Diagnostic } from '../../index.js';
import type { CliIo } from '../io.js';
import { countSeverities, formatDiagnostic } from '../format-diagnostic.js';

/** `datamap validate <files...>`: every finding of every file, at once. Exit 2 on any error. */
export async function validateCommand(files: string[], opts: { json?: boolean }, io: CliIo): Promise<number> {
  const results: Array<{ file: string; valid: boolean; diagnostics: Diagnostic[] }> = [];
  for (const file of files) {
    if (isDataMapTestFile(file)) {
      // a Data Map test file: the test schema, its map, and the step ids it names
      const { test, diagnostics } = await checkDataMapTest({ file });
      results.push({ file, valid: test !== undefined && !diagnostics.some((d) => d.severity === 'error'), diagnostics });
      continue;
    }
    const { map, diagnostics } = checkDataMap({ file });
    results.push({ file, valid: map !== undefined && !diagnostics.some((d) => d.severity === 'error'), diagnostics });
  }
  const all = results.flatMap((r) => r.diagnostics);
  const { errors, warnings } = countSeverities(all);
  if (opts.json) {
    io.stdout(JSON.stringify({ valid: errors === 0, errors, warnings, files: results }, null, 2) + '\n');
  } else {
    for (const r of results) {
      if (r.diagnostics.length === 0) {
        io.stdout(`ok ${r.file}\n`);
        continue;
      }
      for (const d of r.diagnostics) io.stdout(formatDiagnostic(d) + '\n\n');
      io.stdout(`${r.valid ? 'ok' : 'invalid'} ${r.file}\n`);
    }
    io.stdout(`${files.length} file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  }
  return errors > 0 ? 2 : 0;
}
