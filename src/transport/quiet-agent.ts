import http from 'node:http';
import https from 'node:https';

/**
 * Node's own HTTP debug output (`NODE_DEBUG=http`, `net`, `tls`) prints the options a socket is
 * created with, request headers included: the auth token would land in the log. Sockets need
 * none of the headers, so these agents create them from options without headers or user info.
 * The request itself still carries every header.
 */
type CreateSocket = (req: http.ClientRequest, options: Record<string, unknown>, cb: (err: Error | null, socket?: unknown) => void) => void;

function withoutCredentials(options: Record<string, unknown>): Record<string, unknown> {
  const { headers: _headers, auth: _auth, ...rest } = options;
  void _headers;
  void _auth;
  return rest;
}

export class QuietHttpAgent extends http.Agent {
  createSocket(...[req, options, cb]: Parameters<CreateSocket>): void {
    (http.Agent.prototype as unknown as { createSocket: CreateSocket }).createSocket.call(this, req, withoutCredentials(options), cb);
  }
}

export class QuietHttpsAgent extends https.Agent {
  createSocket(...[req, options, cb]: Parameters<CreateSocket>): void {
    (https.Agent.prototype as unknown as { createSocket: CreateSocket }).createSocket.call(this, req, withoutCredentials(options), cb);
  }
}

/** Makes any agent (e.g. a proxy agent) create its sockets from options without headers or user info. */
export function quietAgent<A extends http.Agent>(agent: A): A {
  const a = agent as unknown as { createSocket?: CreateSocket };
  const create = a.createSocket;
  if (typeof create === 'function') {
    a.createSocket = (req, options, cb) => create.call(agent, req, withoutCredentials(options), cb);
  }
  return agent;
}
