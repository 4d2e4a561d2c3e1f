// URLs without path values or query are the same for every record: parsed once (by base URL,
// then path template: the same string objects every record, so no key is built per call)
const fixedUrls = new Map<string, Map<string, string>>();
let fixedCount = 0;

/** Joins a base URL and a path template, percent-encoding path values and adding the query. */
export function buildUrl(baseUrl: string, pathTemplate: string, pathValues: Record<string, unknown>, query: Record<string, unknown>): string {
  const fixed = !pathTemplate.includes('{') && isEmpty(query);
  if (fixed) {
    const known = fixedUrls.get(baseUrl)?.get(pathTemplate);
    if (known !== undefined) return known;
  }
  if (!fixed && !pathTemplate.includes('{')) {
    // only a query: the parsed base is the same for every record, the query is serialized as
    // URLSearchParams serializes a URL's query
    const base = buildUrl(baseUrl, pathTemplate, {}, {});
    if (!base.includes('?') && !base.includes('#')) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v === undefined || v === null) continue;
        params.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
      }
      const q = params.toString();
      return q === '' ? base : `${base}?${q}`;
    }
  }
  const path = pathTemplate.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String(pathValues[name] ?? '')));
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    url.searchParams.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  const text = url.toString();
  if (fixed) {
    if (fixedCount >= 1000) {
      fixedUrls.clear();
      fixedCount = 0;
    }
    let byPath = fixedUrls.get(baseUrl);
    if (!byPath) {
      byPath = new Map();
      fixedUrls.set(baseUrl, byPath);
    }
    byPath.set(pathTemplate, text);
    fixedCount++;
  }
  return text;
}

function isEmpty(o: Record<string, unknown>): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) return false;
  return true;
}
