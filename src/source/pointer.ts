/** A step in a path through a document: a map key or a sequence index. */
export type PathSegment = string | number;

/** `['steps', 0, 'request']` → `/steps/0/request` (RFC 6901 escaping). */
export function pointerFromPath(path: readonly PathSegment[]): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** `/steps/0/request` → `['steps', 0, 'request']`; numeric segments become numbers. */
export function pathFromPointer(pointer: string): PathSegment[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
