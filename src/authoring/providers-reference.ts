/**
 * The provider reference behind `datamap providers`: installed packs, their operations, and each
 * operation's request and response fields (with `$ref`s resolved across schema files), as plain
 * data. The CLI formats it; nothing here prints.
 */
import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import { listProviders, pathParams, publicOperations } from '../providers/registry.js';
import type { OperationSpec, ProviderPack } from '../providers/pack-types.js';
import { describeSchema, loadShippedSchema, type FieldDescription } from './providers-schema-walk.js';
import { didYouMean, packOrThrow } from './providers-suggest.js';

export type { FieldDescription, RequiredChoice, SensitiveKind } from './providers-schema-walk.js';

/** An environment of a provider pack. */
export interface ProviderEnvironmentInfo {
  name: string;
  baseUrl: string;
  description?: string;
  /** The pack's default environment. */
  default: boolean;
  /** False when the provider's own docs do not give this host (a guess from other sources). */
  documented: boolean;
}

/** An auth scheme of a provider pack. */
export interface ProviderAuthInfo {
  name: string;
  /** `header`: a credential sent as a header; `token-exchange`: credentials exchanged for a token. */
  type: 'header' | 'token-exchange';
  description?: string;
  /** The pack's default scheme. */
  default: boolean;
  /** Header the credential or token is sent in. */
  header: string;
  /** Text before the credential in the header (e.g. `Bearer `). */
  prefix?: string;
  /** Names of the credentials the scheme needs. */
  credentials: string[];
}

/** A credential of a provider pack and the environment variable it is read from. */
export interface ProviderCredentialInfo {
  name: string;
  env: string;
  description?: string;
}

/** One operation of a pack, as listed. */
export interface OperationSummary {
  /** Operation id, as written in a step's `operation`. */
  id: string;
  summary: string;
  method: OperationSpec['method'];
  /** Path template, `{param}` for path parameters. */
  path: string;
  /** Safe to resend. */
  idempotent: boolean;
  /** Method, path or shape is an assumption of ours, not documented by the provider. */
  assumed: boolean;
  /** Documentation reference. */
  source?: string;
  /** The operation takes a request body. */
  hasRequest: boolean;
  /** Path parameters (`params` of a step must give them all). */
  pathParams: string[];
  /** Query parameters it accepts. */
  query: string[];
}

/** A provider pack, as `datamap providers` lists it. */
export interface ProviderSummary {
  name: string;
  title: string;
  docs?: string;
  /** Absent when the pack assumes none (a Data Map must choose). */
  defaultEnvironment?: string;
  environments: ProviderEnvironmentInfo[];
  auth: ProviderAuthInfo[];
  credentials: ProviderCredentialInfo[];
  /** Public operations (those a Data Map step may use). */
  operations: OperationSummary[];
}

/** A provider pack in detail, as `datamap providers <name>` shows it. */
export interface ProviderDetails extends ProviderSummary {
  /** Where the pack goes beyond the provider's public documentation. */
  assumptions: string[];
  /** Static headers sent on every call. */
  headers: Record<string, string>;
  rateLimit?: { perSecond?: number; note?: string };
  /** Statuses always safe to retry, and those after which a non-idempotent call's outcome is unknown. */
  errors: { retryableStatuses: number[]; unknownOutcomeStatuses: number[] };
  /** Operations used by the engine only (e.g. a token exchange). */
  internalOperations: string[];
}

/** A response field a later step can read. */
export interface ResponseFieldInfo {
  /** Dotted path in the response, `[]` for any array element. */
  path: string;
  /** How a later step reads it when the step has no `output`, e.g. `$steps.<id>.invoiceId`. */
  expression: string;
  types: string[];
  description?: string;
}

/** One operation in full, as `datamap providers <name> <operation>` shows it. */
export interface OperationDetails extends OperationSummary {
  provider: string;
  /** Used by the engine only; not usable as a Data Map step. */
  internal: boolean;
  /** Request schema, relative to `schemas/`. */
  requestSchema?: string;
  /** Response schema, relative to `schemas/`. */
  responseSchema?: string;
  /** The request body as a field tree (the root describes the body itself). */
  request?: FieldDescription;
  /** The response body as a field tree. */
  response?: FieldDescription;
  /** Every response field, flattened, with the expression a later step reads it by. */
  responseFields: ResponseFieldInfo[];
  /** How a 2xx response is classified (succeeded, declined, pending, failed). */
  classify: OperationSpec['classify'];
  /** How an unknown outcome is settled; absent when it cannot be. */
  reconcile?: NonNullable<OperationSpec['reconcile']>;
  /**
   * The fields masked in every output, each with its kind. A flat list (not keyed by kind): a key
   * named `securityCode` or `secret` is itself masked wherever datamap prints it.
   */
  sensitive: Array<{ path: string; kind: 'cardNumber' | 'securityCode' | 'secret' }>;
}


function operationSummary(id: string, op: OperationSpec): OperationSummary {
  const s: OperationSummary = {
    id,
    summary: op.summary,
    method: op.method,
    path: op.path,
    idempotent: op.idempotent,
    assumed: op.assumed === true,
    hasRequest: op.request !== undefined,
    pathParams: pathParams(op.path),
    query: [...(op.query ?? [])],
  };
  if (op.source !== undefined) s.source = op.source;
  return s;
}

function summary(pack: ProviderPack): ProviderSummary {
  const s: ProviderSummary = {
    name: pack.name,
    title: pack.title,
    ...(pack.defaultEnvironment ? { defaultEnvironment: pack.defaultEnvironment } : {}),
    environments: Object.entries(pack.environments).map(([name, e]) => {
      const info: ProviderEnvironmentInfo = { name, baseUrl: e.baseUrl, default: name === pack.defaultEnvironment, documented: e.documented !== false };
      if (e.description !== undefined) info.description = e.description;
      return info;
    }),
    auth: Object.entries(pack.auth.schemes).map(([name, a]) => {
      const info: ProviderAuthInfo = {
        name,
        type: a.type,
        default: name === pack.auth.default,
        header: a.header,
        credentials: a.type === 'header' ? [a.credential] : [...new Set(Object.values(a.body))],
      };
      if (a.description !== undefined) info.description = a.description;
      if (a.prefix !== undefined && a.prefix !== '') info.prefix = a.prefix;
      return info;
    }),
    credentials: Object.entries(pack.credentials).map(([name, c]) => {
      const info: ProviderCredentialInfo = { name, env: c.env };
      if (c.description !== undefined) info.description = c.description;
      return info;
    }),
    operations: publicOperations(pack).map(([id, op]) => operationSummary(id, op)),
  };
  if (pack.docs !== undefined) s.docs = pack.docs;
  return s;
}

/** Every installed provider pack with its environments, auth schemes, credentials and public operations. */
export function describeProviders(): ProviderSummary[] {
  return listProviders().map((name) => summary(packOrThrow(name)));
}

/**
 * One provider pack in detail, including its `assumptions`.
 * Throws a `DatamapError` (`datamap/unknown-provider`, with a did-you-mean hint) for an unknown name.
 */
export function describeProvider(name: string): ProviderDetails {
  const pack = packOrThrow(name);
  const d: ProviderDetails = {
    ...summary(pack),
    assumptions: [...(pack.assumptions ?? [])],
    headers: { ...(pack.headers ?? {}) },
    errors: { retryableStatuses: [...pack.errors.retryableStatuses], unknownOutcomeStatuses: [...pack.errors.unknownOutcomeStatuses] },
    internalOperations: Object.entries(pack.operations).filter(([, o]) => o.internal).map(([id]) => id),
  };
  if (pack.rateLimit) d.rateLimit = { ...pack.rateLimit };
  return d;
}

/**
 * One operation of a pack: method, path, parameters, the request as a field tree (every field
 * with type, required, enum, length/pattern/range rules, decimals, description and sensitivity),
 * the response fields later steps can read as `$steps.<id>.<field>`, and the classification and
 * reconcile rules. Throws a `DatamapError` (`datamap/unknown-provider` or
 * `datamap/unknown-operation`, with a did-you-mean hint) for unknown names.
 */
export function describeOperation(providerName: string, operationId: string): OperationDetails {
  const pack = packOrThrow(providerName);
  const op = pack.operations[operationId];
  if (!op) {
    const names = publicOperations(pack).map(([id]) => id);
    throw new DatamapError(diagnostic('datamap/unknown-operation', `${pack.name} has no operation "${operationId}"`, {
      hint: didYouMean(operationId, names, `Operations of ${pack.name}`),
    }));
  }
  const d: OperationDetails = {
    ...operationSummary(operationId, op),
    provider: pack.name,
    internal: op.internal === true,
    responseFields: [],
    classify: structuredClone(op.classify),
    sensitive: (['cardNumber', 'securityCode', 'secret'] as const).flatMap((kind) => (op.sensitive?.[kind] ?? []).map((path) => ({ path, kind }))),
  };
  if (op.reconcile) d.reconcile = structuredClone(op.reconcile);
  if (op.request) {
    d.requestSchema = op.request;
    const loc = loadShippedSchema(op.request);
    if (loc) d.request = describeSchema(loc, op.sensitive);
  }
  if (op.response) {
    d.responseSchema = op.response;
    const loc = loadShippedSchema(op.response);
    if (loc) {
      d.response = describeSchema(loc, op.sensitive);
      d.responseFields = flattenResponse(d.response);
    }
  }
  return d;
}

/** Every field below the root, depth first; arrays are mapped over in JSONata, so `[]` drops out of the expression. */
function flattenResponse(root: FieldDescription): ResponseFieldInfo[] {
  const out: ResponseFieldInfo[] = [];
  const visit = (f: FieldDescription) => {
    if (f.path !== '' && f.name !== '[]') {
      const info: ResponseFieldInfo = { path: f.path, expression: '$steps.<id>.' + f.path.replace(/\[\]/g, '').replace(/^\./, ''), types: f.types };
      if (f.description !== undefined) info.description = f.description;
      out.push(info);
    }
    for (const p of f.properties ?? []) visit(p);
    if (f.items) visit(f.items);
  };
  visit(root);
  return out;
}
