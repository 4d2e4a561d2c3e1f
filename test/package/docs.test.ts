/**
 * The repository's documents stand on their own: every link in README, CONTRIBUTING, SECURITY,
 * CHANGELOG and docs/ resolves to a file inside the repository; the README's error table is the
 * catalogue; the README states the Node versions package.json supports; licence, changelog,
 * contributing and security files say what the issue asks of them.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE } from '../../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');
const DOCS = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('documents', () => {
  it('link only to files inside the repository, all of which exist', () => {
    for (const doc of DOCS) {
      const text = read(doc);
      expect(text, doc).not.toMatch(/\.\.\/shared|\/work\//);
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        const abs = resolve(root, dirname(doc), target);
        expect(relative(root, abs).startsWith('..'), `${doc} links outside the repository: ${m[1]}`).toBe(false);
        expect(existsSync(abs), `${doc} links to a missing file: ${m[1]}`).toBe(true);
      }
    }
  });

  it('the README error table is the catalogue, in order', () => {
    const text = read('README.md');
    const rows = [...text.matchAll(/^\| `([a-z]+\/[a-z0-9-]+)` \| (.+?) \| (.+) \|$/gm)].map((m) => m[1]);
    expect(rows).toEqual(Object.keys(CATALOGUE));
  });

  it('the README states the supported Node versions, as engines does', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=20.19');
    expect(read('README.md')).toMatch(/Supported Node\.js versions: \*\*20\.19 or later\*\*/);
    expect(read('README.md')).toContain(`\`${engines}\``);
  });

  it('LICENSE is MIT, CHANGELOG keeps a changelog, CONTRIBUTING and SECURITY cover what they must', () => {
    expect(read('LICENSE')).toMatch(/^MIT License\n/);
    expect((JSON.parse(read('package.json')) as { license: string }).license).toBe('MIT');
    expect(read('CHANGELOG.md')).toMatch(/keepachangelog\.com[\s\S]*## \[Unreleased\][\s\S]*## \[0\.1\.0\]/);
    const contributing = read('CONTRIBUTING.md');
    for (const h of ['## Build and test', '## Add a provider pack', '## Add an error code']) expect(contributing).toContain(h);
    const security = read('SECURITY.md');
    for (const h of ['## Reporting a vulnerability', '## What datamap stores, and where']) expect(security).toContain(h);
  });
});
