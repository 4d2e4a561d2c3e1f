import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../errors/diagnostic.js';
import { scrubText } from '../redact/index.js';
import { c } from './color.js';

const textCache = new Map<string, string[] | null>();

function sourceLines(file: string): string[] | null {
  if (!textCache.has(file)) {
    try {
      const text = readFileSync(file, 'utf8');
      textCache.set(file, text.length > 5 * 1024 * 1024 ? null : text.split(/\r?\n/));
    } catch {
      textCache.set(file, null);
    }
  }
  return textCache.get(file) ?? null;
}

/** Makes code frames work for text that is not in a file (e.g. a Data Map read from standard input). */
export function rememberSource(file: string, text: string): void {
  textCache.set(file, text.split(/\r?\n/));
}

/** A diagnostic as text: `severity code: message`, the location, a code frame and the hint. */
export function formatDiagnostic(d: Diagnostic, options: { frame?: boolean } = {}): string {
  const out = [`${c.severity(d.severity)} ${c.code(d.code)}: ${d.message}`];
  const loc = d.location;
  if (loc) {
    out.push(`  ${c.dim('-->')} ${loc.file}:${loc.line}:${loc.column}`);
    // `data.hideSource`: the located line is input data (a CSV row) that must not be echoed
    const lines = options.frame === false || d.data?.hideSource === true ? null : sourceLines(loc.file);
    const line = lines?.[loc.line - 1];
    if (line !== undefined) {
      const num = String(loc.line);
      const pad = ' '.repeat(num.length);
      const width = loc.endLine === loc.line && loc.endColumn !== undefined && loc.endColumn > loc.column ? loc.endColumn - loc.column : 1;
      let text = line;
      if (d.data?.secret === true) {
        // never echo a literal secret, even from the user's own file
        const end = loc.endLine === loc.line && loc.endColumn !== undefined ? loc.endColumn - 1 : line.length;
        text = line.slice(0, loc.column - 1) + '*'.repeat(Math.max(0, end - loc.column + 1)) + line.slice(end);
      }
      text = scrubText(maskSecretValues(text));
      const shown = text.length > 160 ? text.slice(0, 160) + '…' : text;
      out.push(`   ${pad} |`);
      out.push(`   ${num} | ${shown}`);
      out.push(`   ${pad} | ${' '.repeat(Math.max(0, loc.column - 1))}${(d.severity === 'error' ? c.error : c.warning)('^'.repeat(Math.max(1, Math.min(width, 80))))}`);
    }
  }
  out.push(`  ${c.bold('hint:')} ${d.hint}`);
  return out.join('\n');
}

// `token: abc`, `clientSecret: "x"` … written literally (not as ${ENV}) anywhere on a shown line.
const SECRET_PAIR = /(\b(?:token|secret|password|passwd|clientSecret|client_secret|apiKey|api_key|authorization|securityCode|cvv|cvc)\b["']?\s*:\s*)("[^"]*"|'[^']*'|[^,}\]\s#]+)/gi;

/** Masks literal secret values in a source line before it is shown in a code frame. */
export function maskSecretValues(line: string): string {
  return line.replace(SECRET_PAIR, (m, head: string, value: string) => (/^["']?\$\{/.test(value) ? m : head + '*'.repeat(value.length)));
}

/** Counts for a closing line. */
export function countSeverities(ds: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of ds) if (d.severity === 'error') errors++; else warnings++;
  return { errors, warnings };
}
