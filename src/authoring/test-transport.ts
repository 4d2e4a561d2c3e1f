/**
 * The in-memory transport of Data Map tests: answers each call the executor makes from the
 * case's mocked responses. A call is matched to its step by the order of execution and the
 * step operation's method and path template; calls that are not steps (reconcile lookups, a
 * token exchange) are matched to a pack operation.
 */
import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import { diagnostic, type Diagnostic, type SourceLocation } from '../errors/diagnostic.js';
import type { OperationSpec } from '../providers/pack-types.js';
import { scrubText } from '../redact/index.js';
import type { PathSegment } from '../source/pointer.js';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from '../transport/types.js';
import type { DataMapTestResponse } from './test-file.js';

/** One call the executor made during a case. */
export interface MockedCall {
  method: string;
  /** Path and query only (no host). */
  path: string;
  /** The step it was matched to, or the pack operation (lookup, token exchange). */
  stepId?: string;
  operation?: string;
  /** Status answered, or the transport error raised. */
  status?: number;
  transportError?: string;
  /** True for a token exchange the test answered by itself (not mocked). */
  automatic?: boolean;
}

/** A mock transport with what it saw. */
export interface MockTransport {
  transport: Transport;
  calls: MockedCall[];
  /** Calls with no mocked answer, or matching nothing (test/no-mock, test/unexpected-call). */
  problems: Diagnostic[];
}

/** Regex of a path template (`/api/Invoices/{invoiceId}`): the URL path must end with it. */
export function templateRegex(template: string): RegExp {
  const parts = template.split(/\{[^}]+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`${parts.join('([^/]+)')}$`);
}

/** Path parameters of a URL path under a template, decoded; undefined when it does not match. */
export function pathValues(template: string, pathname: string): Record<string, string> | undefined {
  const m = templateRegex(template).exec(pathname);
  if (!m) return undefined;
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!);
  const out: Record<string, string> = {};
  names.forEach((n, i) => {
    const v = m[i + 1] ?? '';
    try {
      out[n] = decodeURIComponent(v);
    } catch {
      out[n] = v;
    }
  });
  return out;
}

const matches = (method: string, template: string, req: { method: string; pathname: string }): boolean =>
  method.toUpperCase() === req.method.toUpperCase() && templateRegex(template).test(req.pathname);

/**
 * Creates the transport of one case. `responses` maps step ids (or pack operation ids) to one
 * response, or to a list answering successive calls. A call without an answer is refused (so
 * nothing can have taken effect) and reported, naming the step.
 */
export function createMockTransport(
  map: CompiledMap,
  responses: Record<string, DataMapTestResponse | DataMapTestResponse[]>,
  context: { caseName: string; locate: (path: readonly PathSegment[], options?: { key?: boolean }) => SourceLocation; casePath: PathSegment[] },
): MockTransport {
  const pack = map.provider.pack;
  const steps = map.steps;
  const calls: MockedCall[] = [];
  const problems: Diagnostic[] = [];
  const reported = new Set<string>();
  const used = new Map<string, number>();
  let last: number | undefined;
  let lastOk = true;

  const scheme = pack.auth.schemes[map.provider.auth];
  const tokenOp = scheme?.type === 'token-exchange' ? scheme.operation : undefined;

  const report = (key: string, d: Diagnostic): void => {
    if (reported.has(key)) return;
    reported.add(key);
    problems.push(d);
  };

  const opMatching = (req: { method: string; pathname: string }, ids: readonly string[]): string | undefined =>
    ids.find((id) => {
      const op: OperationSpec | undefined = pack.operations[id];
      return op !== undefined && matches(op.method, op.path, req);
    });

  const stepMatches = (i: number, req: { method: string; pathname: string }): boolean => {
    const s: CompiledStep | undefined = steps[i];
    return s !== undefined && matches(s.operation.method, s.operation.path, req);
  };

  const transport: Transport = async (req: HttpRequest): Promise<HttpResponse> => {
    const url = new URL(req.url);
    const where = { method: req.method, pathname: url.pathname };
    const call: MockedCall = { method: req.method, path: scrubText(url.pathname + url.search) };
    calls.push(call);
    const mockedOps = Object.keys(responses).filter((k) => !steps.some((s) => s.id === k));

    // 1. the token exchange of a client-credentials scheme (answered with a test token unless mocked)
    let key: string | undefined;
    let stepIndex: number | undefined;
    if (tokenOp && opMatching(where, [tokenOp])) {
      call.operation = tokenOp;
      if (!responses[tokenOp]) {
        const body: Record<string, unknown> = {};
        if (scheme?.type === 'token-exchange') {
          body[scheme.tokenFields[0] ?? 'access_token'] = 'test-access-token';
          body[scheme.expiresInFields[0] ?? 'expires_in'] = 3600;
        }
        call.status = 200;
        call.automatic = true;
        return { status: 200, headers: { 'content-type': 'application/json' }, body };
      }
      key = tokenOp;
    }
    if (key === undefined) {
      // 2. the step called last, again (a retry, a re-authentication, a resend after reconcile)
      if (last !== undefined && !lastOk && stepMatches(last, where)) stepIndex = last;
      // 3. a lookup right after an unknown outcome: mocked by operation id, or the step's reconcile lookup
      if (stepIndex === undefined && last !== undefined && !lastOk) {
        const reconcileOp = steps[last]?.operation.spec.reconcile?.operation;
        const op = opMatching(where, mockedOps) ?? (reconcileOp ? opMatching(where, [reconcileOp]) : undefined);
        if (op) key = op;
      }
      // 4. the next step in execution order that calls this method and path
      if (stepIndex === undefined && key === undefined) {
        for (let i = last === undefined ? 0 : last + 1; i < steps.length; i++) {
          if (stepMatches(i, where)) {
            stepIndex = i;
            break;
          }
        }
      }
      // 5. any other mocked pack operation
      if (stepIndex === undefined && key === undefined) key = opMatching(where, mockedOps);
      if (stepIndex !== undefined) key = steps[stepIndex]!.id;
    }

    const casePath = context.casePath;
    if (key === undefined) {
      report(`unexpected ${req.method} ${scrubText(url.pathname)}`, diagnostic('test/unexpected-call', `Case "${context.caseName}": the executor called ${req.method} ${scrubText(url.pathname)}, which matches no step left to run${mockedOps.length ? ' and no mocked operation' : ''}`, {
        location: context.locate(casePath),
      }));
      call.transportError = 'refused';
      throw new TransportError('refused', false, `datamap test: no mocked response for ${req.method} ${scrubText(url.pathname)}`);
    }
    const step = stepIndex !== undefined ? steps[stepIndex] : undefined;
    if (step) {
      call.stepId = step.id;
      call.operation = step.operation.id;
    } else {
      call.operation = key;
    }
    const what = step
      ? `step "${step.id}" (${step.operation.id}, ${step.operation.method} ${step.operation.path})`
      : last !== undefined && steps[last]?.operation.spec.reconcile?.operation === key
        ? `the reconcile lookup ${key} of step "${steps[last]!.id}"`
        : `operation ${key}`;
    const mocked = responses[key];
    const n = used.get(key) ?? 0;
    used.set(key, n + 1);
    const answer = Array.isArray(mocked) ? mocked[n] : mocked;
    if (stepIndex !== undefined) last = stepIndex;
    if (!answer) {
      if (stepIndex !== undefined) lastOk = false;
      const respPath = mocked ? [...casePath, 'responses', key] : [...casePath, Object.keys(responses).length ? 'responses' : 'name'];
      report(`no-mock ${key}`, diagnostic('test/no-mock', mocked
        ? `Case "${context.caseName}": ${what} was called ${n + 1} times but has ${(mocked as DataMapTestResponse[]).length} mocked response${(mocked as DataMapTestResponse[]).length === 1 ? '' : 's'}`
        : `Case "${context.caseName}": ${what} was called, but the case has no mocked response for "${key}"`, {
        location: context.locate(respPath, { key: true }),
        hint: `Add a response under responses.${key} (e.g. { status: 200, body: {...} }); a list answers repeated calls in order.`,
        data: { step: step?.id, operation: call.operation },
      }));
      call.transportError = 'refused';
      throw new TransportError('refused', false, `datamap test: no mocked response for ${key}`);
    }
    if (answer.transportError) {
      if (stepIndex !== undefined) lastOk = false;
      call.transportError = answer.transportError;
      const maybeSent = answer.transportError !== 'refused';
      throw new TransportError(answer.transportError, maybeSent, `mocked ${answer.transportError} for ${key}`);
    }
    const status = answer.status ?? 200;
    call.status = status;
    if (stepIndex !== undefined) lastOk = status >= 200 && status < 300;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = v;
    return { status, headers, body: answer.body === undefined ? '' : structuredClone(answer.body) };
  };
  return { transport, calls, problems };
}
