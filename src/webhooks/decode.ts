import jsonata from '../jsonata.js';
import type Jsonata from 'jsonata';
import type { WebhookSpec } from '../providers/pack-types.js';

/** A webhook delivery, decoded by the pack's `webhooks` rules. */
export interface WebhookEvent {
  /** The event type (e.g. `InvoiceStatusChanged`). */
  type: string;
  /** The de-duplication key: the same delivery sent twice has the same key. */
  dedupeKey: string;
  /** The event as decoded (the envelope's JSON string parsed again). */
  body: Record<string, unknown>;
}

/** A status an event reports for an object a call made, and how to find that call's step. */
export interface StatusReport {
  /** followUp parameter → value: the step whose stored follow-up parameters equal these. */
  match: Record<string, string | number>;
  /** The object as the follow-up lookup would answer it (read by the operation's followUp.classify). */
  object: unknown;
  /** The status as reported, for logs (the pack's `status` expression). */
  status?: string | number;
}

/** Why a body could not be decoded (answered 400). */
export class WebhookDecodeError extends Error {}

interface Compiled {
  type: Jsonata.Expression;
  dedupe: Jsonata.Expression[];
  events: Map<string, { match: Array<[string, Jsonata.Expression]>; object: Jsonata.Expression; status?: Jsonata.Expression }>;
}

const cache = new WeakMap<WebhookSpec, Compiled>();

function compile(spec: WebhookSpec): Compiled {
  let c = cache.get(spec);
  if (!c) {
    c = {
      type: jsonata(spec.type),
      dedupe: spec.dedupe.map((e) => jsonata(e)),
      events: new Map(Object.entries(spec.statusEvents).map(([name, ev]) => [name, {
        match: Object.entries(ev.match).map(([k, e]) => [k, jsonata(e)] as [string, Jsonata.Expression]),
        object: jsonata(ev.object),
        ...(ev.status ? { status: jsonata(ev.status) } : {}),
      }])),
    };
    cache.set(spec, c);
  }
  return c;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes a delivery: parses the body, unwraps the envelope (a JSON string in a field), reads the type and the de-duplication key. */
export async function decodeWebhook(spec: WebhookSpec, rawBody: string): Promise<WebhookEvent> {
  let outer: unknown;
  try {
    outer = JSON.parse(rawBody);
  } catch {
    throw new WebhookDecodeError('the body is not JSON');
  }
  if (!isObject(outer)) throw new WebhookDecodeError('the body is not a JSON object');
  let body: Record<string, unknown> = outer;
  if (spec.envelope && outer[spec.envelope] !== undefined) {
    const inner = outer[spec.envelope];
    if (typeof inner === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(inner);
      } catch {
        throw new WebhookDecodeError(`${spec.envelope} is not a JSON string`);
      }
      if (!isObject(parsed)) throw new WebhookDecodeError(`${spec.envelope} does not hold a JSON object`);
      body = parsed;
    } else if (isObject(inner)) body = inner;
    else throw new WebhookDecodeError(`${spec.envelope} is neither a JSON string nor an object`);
  }
  const c = compile(spec);
  const type = await c.type.evaluate(body);
  if (typeof type !== 'string' || type === '') throw new WebhookDecodeError('the event has no type');
  const parts: unknown[] = [];
  for (const e of c.dedupe) parts.push((await e.evaluate(body)) ?? null);
  return { type, dedupeKey: JSON.stringify([type, ...parts]), body };
}

/** The status an event reports, when its type is one of the pack's status events and it names its object. */
export async function statusReport(spec: WebhookSpec, event: WebhookEvent): Promise<StatusReport | undefined> {
  const ev = compile(spec).events.get(event.type);
  if (!ev) return undefined;
  const match: Record<string, string | number> = {};
  for (const [name, expr] of ev.match) {
    const v: unknown = await expr.evaluate(event.body);
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    match[name] = v;
  }
  const object: unknown = await ev.object.evaluate(event.body);
  if (object === undefined) return undefined;
  const out: StatusReport = { match, object };
  const status: unknown = ev.status ? await ev.status.evaluate(event.body) : undefined;
  if (typeof status === 'string' || typeof status === 'number') out.status = status;
  return out;
}
