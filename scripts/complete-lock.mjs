// Completes package-lock.json with the platform-specific optional packages the registry on our
// machines does not serve (it only has linux-x64 builds, so `npm install` leaves e.g.
// @rollup/rollup-darwin-arm64 out of the lock and npm 11's `npm ci` then refuses the lock as
// out of sync). Each missing optional dependency gets an entry with the version its parent asks
// for and the os/cpu/libc read from its name, so `npm ci` skips it on other platforms without
// fetching it. Run after `npm install` changes the lock: `node scripts/complete-lock.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32', 'aix', 'netbsd', 'sunos'];
const CPU = { 'arm-eabi': 'arm', arm: 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', mips64el: 'mips64el' };

function platformOf(name) {
  const base = name.split('/').pop();
  const parts = base.split('-');
  const osIndex = parts.findIndex((p) => OS.includes(p));
  if (osIndex === -1) return undefined;
  const os = parts[osIndex];
  const rest = parts.slice(osIndex + 1);
  const cpuKey = rest[0] === 'arm' && rest[1] === 'eabi' ? 'arm-eabi' : rest[0];
  const cpu = CPU[cpuKey];
  if (!cpu) return undefined;
  const flavour = rest.slice(1).join('-');
  const libc = os === 'linux' ? (/musl/.test(flavour) ? 'musl' : /gnu/.test(flavour) ? 'glibc' : undefined) : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const prefix = path === '' ? '' : `${path}/`;
    const candidates = [`${prefix}node_modules/${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => packages[c])) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    const version = String(range).replace(/^[\^~=]/, '');
    const e = { version, optional: true, os: [platform.os], cpu: [platform.cpu] };
    if (platform.libc) e.libc = [platform.libc];
    if (entry.dev) e.dev = true;
    e.license = entry.license ?? 'MIT';
    packages[`node_modules/${dep}`] = e;
    added++;
  }
}
// npm writes an entry it has no registry metadata for as `version`, then its other keys in
// alphabetical order. Write ours (and re-order any written by an older version of this script)
// the same way, so that a later `npm install` leaves the lock byte for byte unchanged.
for (const [path, entry] of Object.entries(packages)) {
  if (path === '' || entry.resolved !== undefined || entry.integrity !== undefined || entry.link) continue;
  const { version, ...rest } = entry;
  const keys = Object.keys(rest).sort();
  packages[path] = { version, ...Object.fromEntries(keys.map((k) => [k, rest[k]])) };
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lock: added ${added} platform-specific optional entr${added === 1 ? 'y' : 'ies'}`);
