// Bundles the studio page (src/studio/page: CodeMirror 6 and our code) with esbuild into
// dist/studio/assets (studio.js, studio.css, index.html), which the package ships; the page
// loads nothing from a network at run time. Part of `npm run build`; the studio tests call
// buildStudioPage() so they always test the current source.
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pageDir = join(root, 'src', 'studio', 'page');
export const STUDIO_ASSETS_DIR = join(root, 'dist', 'studio', 'assets');

/** Builds the page; each file is written beside its final name and renamed, so a reader never sees half a file. */
export async function buildStudioPage({ minify = true } = {}) {
  mkdirSync(STUDIO_ASSETS_DIR, { recursive: true });
  const tag = `${process.pid}-${Date.now()}`;
  const js = join(STUDIO_ASSETS_DIR, `studio.js.${tag}.tmp`);
  const result = await build({
    entryPoints: [join(pageDir, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify,
    legalComments: 'linked',
    outfile: js,
    logLevel: 'silent',
    metafile: true,
  });
  renameSync(js, join(STUDIO_ASSETS_DIR, 'studio.js'));
  try {
    renameSync(`${js}.LEGAL.txt`, join(STUDIO_ASSETS_DIR, 'studio.js.LEGAL.txt'));
  } catch {
    // no third-party licence comments to keep
  }
  for (const f of ['index.html', 'studio.css']) {
    const tmp = join(STUDIO_ASSETS_DIR, `${f}.${tag}.tmp`);
    copyFileSync(join(pageDir, f), tmp);
    renameSync(tmp, join(STUDIO_ASSETS_DIR, f));
  }
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { dir: STUDIO_ASSETS_DIR, bytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { dir, bytes } = await buildStudioPage();
  // --quiet (as `npm run build` passes it): nothing printed, so that `npm run bench -- --json`
  // prints only its JSON object on standard output
  if (!process.argv.includes('--quiet')) console.log(`studio page: ${Math.round(bytes / 1024)} KiB → ${dir}`);
}
