/** Joins a base URL and a path template, percent-encoding path values and adding the query. */
export function buildUrl(baseUrl: string, pathTemplate: string, pathValues: Record<string, unknown>, query: Record<string, unknown>): string {
  const path = pathTemplate.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String(pathValues[name] ?? '')));
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    url.searchParams.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return url.toString();
}
