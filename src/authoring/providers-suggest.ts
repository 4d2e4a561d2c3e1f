import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import type { ProviderPack } from '../providers/pack-types.js';
import { getProvider, listProviders } from '../providers/registry.js';
/** Did-you-mean for pack and operation names (internal to the authoring toolkit). */

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Names close to `wanted`: same letters in another case, one containing the other, or a small edit distance; best first. */
export function closeNames(wanted: string, names: readonly string[]): string[] {
  const w = wanted.toLowerCase();
  if (w === '') return [];
  const scored = names.map((n) => {
    const x = n.toLowerCase();
    const d = distance(w, x);
    const contains = x.includes(w) || w.includes(x) || x.split('.').some((part) => part === w);
    const limit = Math.max(2, Math.floor(Math.max(w.length, x.length) / 3));
    return { n, d, ok: x === w || contains || d <= limit };
  });
  return scored.filter((s) => s.ok).sort((a, b) => a.d - b.d).map((s) => s.n).slice(0, 3);
}

/** A hint: `Did you mean x?` when something is close, else the list of names. */
export function didYouMean(wanted: string, names: readonly string[], listLabel: string): string {
  const close = closeNames(wanted, names);
  const list = `${listLabel}: ${names.join(', ')}.`;
  return close.length ? `Did you mean ${close.join(' or ')}? ${list}` : list;
}

/** The pack, or a `datamap/unknown-provider` error with a did-you-mean hint. */
export function packOrThrow(name: string): ProviderPack {
  const pack = getProvider(name);
  if (!pack) {
    throw new DatamapError(diagnostic('datamap/unknown-provider', `No provider pack named "${name}"`, {
      hint: didYouMean(name, listProviders(), 'Installed packs'),
    }));
  }
  return pack;
}
