/** One HTTP request as the executor sends it. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON text, when the request has a body. */
  body?: string;
  timeoutMs: number;
}

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
    readonly kind: 'timeout' | 'reset' | 'refused' | 'network',
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
