import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

let pkg: { name: string; version: string; homepage?: string } | undefined;

/** The package's name, version and homepage, read once from its package.json. */
export function packageInfo(): { name: string; version: string; homepage?: string } {
  pkg ??= JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string; homepage?: string };
  return pkg;
}

/** The tool description SARIF logs carry. */
export function sarifTool(): { version: string; uri?: string } {
  const p = packageInfo();
  return p.homepage ? { version: p.version, uri: p.homepage } : { version: p.version };
}
