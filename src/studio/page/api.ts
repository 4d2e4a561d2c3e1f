/** The page's only way to the server: JSON over fetch, the URL token in a header. */
const token = new URLSearchParams(location.search).get('token') ?? '';

/** Header name the server reads the token from (see src/studio/guard.ts). */
const TOKEN_HEADER = 'x-datamap-studio';

/** A refused or failed call: the server's diagnostic. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly data?: Record<string, unknown>) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { [TOKEN_HEADER]: token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const value = (await res.json()) as T & { error?: { code: string; message: string; data?: Record<string, unknown> } };
  if (!res.ok) throw new ApiError(res.status, value.error?.code ?? 'internal/error', value.error?.message ?? res.statusText, value.error?.data);
  return value;
}

export const get = <T>(path: string): Promise<T> => call<T>('GET', path);
export const post = <T>(path: string, body: unknown): Promise<T> => call<T>('POST', path, body);

/** Server-sent events (the map changed on disk). */
export function events(onMap: (version: string) => void): EventSource {
  const es = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
  es.addEventListener('map', (e) => onMap((JSON.parse((e as MessageEvent<string>).data) as { version: string }).version));
  return es;
}
