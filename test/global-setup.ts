/**
 * Builds dist/ once before the suites that run the real CLI as a child process (crash tests),
 * and only when a source file is newer than the build (CI's `npm ci` has just built it); then
 * the generated validators, when a schema, a shipped map or the build is newer than they are, and
 * the shipped packs as JSON, when a pack or the build is; and the bundled command line, when the
 * build is newer than it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const built = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newest(join(root, 'src'))) {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  }
  // the validators `npm run build` generates (dist/validators), from the schemas and maps of now
  const index = join(root, 'dist', 'validators', 'index.json');
  const inputs = Math.max(newest(join(root, 'schemas')), newest(join(root, 'mappings')), statSync(built).mtimeMs);
  if (!existsSync(index) || statSync(index).mtimeMs < inputs) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-validators.mjs'), '--quiet'], { stdio: 'inherit' });
  }
  // the bundled command line (dist/cli-bundle/main.cjs and its code cache) that bin/datamap.js starts, when the build is newer
  const bundle = join(root, 'dist', 'cli-bundle', 'main.cjs');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < statSync(built).mtimeMs) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-cli-bundle.mjs')], { stdio: 'inherit' });
  }
  // the shipped packs as JSON (dist/packs), when a pack or the build is newer than they are
  const packs = join(root, 'dist', 'packs');
  if (!existsSync(packs) || newest(packs) < Math.max(newest(join(root, 'providers')), statSync(built).mtimeMs)) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-packs.mjs'), '--quiet'], { stdio: 'inherit' });
  }
}
