/**
 * A tiny method + path router with `:param` segments. Revolv3 routes are matched
 * case-insensitively (the real API appears to be); parameters keep their original case.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors.js';
import type { SandboxContext } from './context.js';

/** What a handler receives. */
export interface RouteRequest {
  method: string;
  /** Provider-relative path, e.g. `/api/Payments/sale`. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** Identity of the credential that authenticated the request. */
  credential: string;
}

/** What a handler returns. */
export interface HandlerResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A handler is synchronous: it validates everything first (throwing ApiError), then commits.
 * So a thrown error never leaves a half-committed effect, and a fault can run it and then fail.
 */
export type Handler = (ctx: SandboxContext, req: RouteRequest) => HandlerResult;

/** One route. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. `/api/Payments/sale/:paymentMethodId`. */
  pattern: string;
  handler: Handler;
  /** No credential needed (Revolv3 token exchange). */
  anonymous?: boolean;
  /** The amount the request carries, for the catalogue fault amounts. Must not throw. */
  amountOf?: (body: unknown, params: Record<string, string>) => number | undefined;
}

/** A matched route with its decoded parameters. */
export interface RouteMatch {
  route: RouteDef;
  params: Record<string, string>;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Routes of one provider. */
export class Router {
  private readonly compiled: Array<{ route: RouteDef; segments: string[] }>;

  constructor(
    routes: readonly RouteDef[],
    private readonly caseInsensitive: boolean,
  ) {
    this.compiled = routes.map((route) => ({ route, segments: splitPath(this.fold(route.pattern)) }));
  }

  /** The route for a method and path; 405 when only the method differs; undefined when none. */
  match(method: string, path: string): RouteMatch | undefined {
    const parts = splitPath(path);
    let pathMatched = false;
    for (const { route, segments } of this.compiled) {
      const params = this.matchSegments(segments, parts);
      if (params === undefined) continue;
      if (route.method === method.toUpperCase()) return { route, params };
      pathMatched = true;
    }
    if (pathMatched) throw new ApiError(405, 'Method Not Allowed');
    return undefined;
  }

  private matchSegments(segments: string[], parts: string[]): Record<string, string> | undefined {
    if (segments.length !== parts.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] ?? '';
      const part = parts[i] ?? '';
      if (seg.startsWith(':')) {
        try {
          params[seg.slice(1)] = decodeURIComponent(part);
        } catch {
          throw new ApiError(400, 'Malformed path', [`path segment "${part}" is not valid percent-encoding`]);
        }
      } else if (seg !== this.fold(part)) {
        return undefined;
      }
    }
    return params;
  }

  private fold(text: string): string {
    if (!this.caseInsensitive) return text;
    // Keep `:param` names as written; fold literal segments only.
    return text
      .split('/')
      .map((s) => (s.startsWith(':') ? s : s.toLowerCase()))
      .join('/');
  }
}
