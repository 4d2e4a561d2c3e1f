/** One HTTP request as the executor sends it. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON text, when the request has a body. */
  body?: string;
  /** Deadline for the whole call: connect, send and every byte of the response. */
  timeoutMs: number;
  /** Largest response body accepted (after decompression); larger ones fail with `too-large`. */
  maxResponseBytes?: number;
}

/** Default `maxResponseBytes`: far above any provider answer, far below what could hurt. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Default `timeoutMs` of a call. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** One HTTP response; `body` is parsed JSON when it parses, else the text. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * A failure below HTTP. `maybeSent` tells whether the provider may have received the request
 * (timeout or reset after sending) — the difference between a safe retry and a reconcile.
 */
export class TransportError extends Error {
  constructor(
    readonly kind: 'timeout' | 'reset' | 'refused' | 'network' | 'too-large',
    readonly maybeSent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** The HTTP boundary. The default uses axios; tests and embedders may pass their own. */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;
