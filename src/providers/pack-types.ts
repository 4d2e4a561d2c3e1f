/**
 * The shape of a provider pack (`providers/<name>.yaml`). A pack is data: the engine never
 * branches on a provider's name. It is validated against `schemas/provider-pack.schema.json`
 * when loaded.
 */

/**
 * Outcome classes a provider response is sorted into. `unknown` is for an answer the provider
 * does not document (or documents as needing a person): it is never read as success, never as
 * something to retry, and never resent; it needs review.
 */
export type Classification = 'succeeded' | 'declined' | 'pending' | 'failed' | 'unknown';

/** A value a response field can be compared with. */
export type ClassifyValue = string | number | boolean;

/** One test on a response field; every given test must hold. */
export interface ClassifyCondition {
  /** Which body the field is read from; default the response. */
  of?: 'response' | 'request';
  /** Dotted path of the response field, e.g. `paymentMethodAuthorizationId`. */
  field: string;
  /** Holds when the field's value is one of these. */
  in?: ClassifyValue[];
  /** `true`: the field holds a value (not missing, not null); `false`: it does not. */
  present?: boolean;
}

/** A rule tried before the status table: when every condition holds, the class is `class`. */
export interface ClassifyRule {
  when: ClassifyCondition[];
  class: Classification;
  /** Why, in words a user reads in the result (e.g. "an ACH payment is final only ..."). */
  reason: string;
  /** Documentation reference for the rule (provider doc id or URL). */
  source: string;
}

/** Where a credential comes from: an environment variable (or an option of the same name). */
export interface CredentialSpec {
  /** Environment variable that holds it, e.g. `REVOLV3_TOKEN`. */
  env: string;
  /** Human description shown in errors and `datamap providers`. */
  description?: string;
}

/** A static header carrying a credential, e.g. `x-revolv3-token: <token>`. */
export interface HeaderAuthScheme {
  type: 'header';
  description?: string;
  /** Header name. */
  header: string;
  /** Text placed before the credential, e.g. `"Bearer "`; empty for a bare token. */
  prefix?: string;
  /** Name of the credential (a key of `credentials`). */
  credential: string;
}

/** A token obtained by exchanging client credentials, cached until shortly before expiry. */
export interface TokenExchangeAuthScheme {
  type: 'token-exchange';
  description?: string;
  /** Operation id (in `operations`) that performs the exchange. */
  operation: string;
  /** Request body: body field name → credential name. */
  body: Record<string, string>;
  /** Response fields holding the token, first present wins (snake_case and camelCase). */
  tokenFields: string[];
  /** Response fields holding the lifetime in seconds, first present wins. */
  expiresInFields: string[];
  /** Header to send the token in, and its prefix. */
  header: string;
  prefix?: string;
  /** Refresh this many seconds before expiry. */
  refreshSkewSeconds?: number;
}

/** How a provider authenticates: a static header, or a token exchange. */
export type AuthScheme = HeaderAuthScheme | TokenExchangeAuthScheme;

/**
 * How a 2xx response is sorted into an outcome class: the `rules` first (in order), then the
 * value of `field` looked up in the class lists, then `default`.
 */
export interface ClassifySpec {
  /** Dotted path of the response field to look at, e.g. `invoiceStatus`. */
  field?: string;
  /** Documentation reference for the status lists. */
  source?: string;
  rules?: ClassifyRule[];
  succeeded?: ClassifyValue[];
  declined?: ClassifyValue[];
  pending?: ClassifyValue[];
  failed?: ClassifyValue[];
  /** Documented values that still need a person (e.g. a status set by the merchant by hand). */
  unknown?: ClassifyValue[];
  /** Why a listed value is classed as it is, by value (shown in results). */
  notes?: Record<string, string>;
  /** Class when the field is missing or its value is not listed. */
  default: Classification;
}

/**
 * How a call whose answer was not final (pending, e.g. ACH or a refund) is later settled: the
 * idempotent lookup that reads the object the call made, and how the looked-up body (or a
 * webhook's report of the same object) is classified.
 */
export interface FollowUpSpec {
  /** Idempotent lookup operation id. */
  lookup: string;
  /** Lookup parameters: name → JSONata over `{ "request", "params", "response" }` of the call. */
  params: Record<string, string>;
  classify: ClassifySpec;
}

/** How an unknown outcome of a non-idempotent call is settled. */
export interface ReconcileSpec {
  /** Idempotent lookup operation id. */
  operation: string;
  /**
   * Parameters for the lookup: name → JSONata expression over
   * `{ "request": <body sent>, "params": <params sent>, "key": <record key> }`.
   */
  params: Record<string, string>;
  /**
   * JSONata over the lookup response `$` (with `$request`, `$params` bound): yields the
   * adopted response when the call took effect, nothing when it proves absence.
   */
  found: string;
  /**
   * How long (ms) the provider may take to show a write in this lookup. An empty lookup proves
   * absence only once this much time has passed after the original request's deadline.
   */
  settleMs?: number;
  /** True only when the provider documents that a 404 from the lookup means "not applied". */
  absentOn404?: boolean;
  /** The lookup is by the caller's own reference: run it before the first send (pre-flight guard). */
  preflight?: boolean;
  /** JSONata over `{ request, params }`: the amount, shown to an operator on review. */
  amount?: string;
}

/** Paths (dotted, `[]` for any array element) of sensitive fields. */
export interface SensitiveSpec {
  cardNumber?: string[];
  securityCode?: string[];
  secret?: string[];
}

/** One operation of a provider pack: method, path, schemas, idempotency, classification, reconciliation, sensitive fields. */
export interface OperationSpec {
  summary: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path template with `{param}` placeholders, e.g. `/api/Invoices/{invoiceId}`. */
  path: string;
  /** Documentation reference (provider doc id or URL). */
  source?: string;
  /** True when method/path/shape is our assumption rather than documented; see `assumptions`. */
  assumed?: boolean;
  /** Safe to resend: it cannot take effect twice. */
  idempotent: boolean;
  /** Query parameters the operation accepts. */
  query?: string[];
  /** Request body schema, relative to `schemas/` (absent: no body). */
  request?: string;
  /** Response body schema, relative to `schemas/`. */
  response?: string;
  classify: ClassifySpec;
  /** How a later status of what this call made is read (status sync and webhooks). */
  followUp?: FollowUpSpec;
  reconcile?: ReconcileSpec;
  sensitive?: SensitiveSpec;
  /** Internal operations (e.g. the token exchange) are not usable as Data Map steps. */
  internal?: boolean;
  /** Where the answer says what was charged: the run reports it next to the Data Map's `total` and warns on a difference. */
  charged?: ChargedSpec;
}

/** How a provider's error bodies and statuses are read. */
export interface ErrorSpec {
  /** JSONata over an error body giving the provider's message. */
  message?: string;
  /** JSONata over an error body giving a list of detail strings. */
  details?: string;
  /** Statuses that cannot have taken effect: always safe to retry. */
  retryableStatuses: number[];
  /** Statuses after which a non-idempotent call's outcome is unknown. */
  unknownOutcomeStatuses: number[];
}

/** Where an answer says what the provider charged (reported next to the host's total). */
export interface ChargedSpec {
  /** JSONata over the response: the total the provider charged. */
  total: string;
  /** JSONata over the response: the tax the provider added, when it says. */
  tax?: string;
  /** Documentation reference. */
  source?: string;
}

/** How a provider signs its webhooks. */
export interface WebhookSignatureSpec {
  /** The request header that carries the signature, e.g. `x-revolv3-signature`. */
  header: string;
  algorithm: 'hmac-sha256';
  encoding: 'base64' | 'hex';
  /** What is signed: a template of `{url}` (the full webhook URL) and `{body}` (the raw body), e.g. `{url}${body}`. */
  message: string;
}

/** A webhook event that reports a new status of an object a call made. */
export interface WebhookStatusEvent {
  /**
   * Which step's object it is: follow-up parameter name (see `followUp.params`) → JSONata over
   * the decoded event, e.g. `invoiceId: Invoice.InvoiceId`.
   */
  match: Record<string, string>;
  /** JSONata over the event: the object as the operation's follow-up lookup answers it (read by `followUp.classify`). */
  object: string;
  /** JSONata over the event: the status as reported, for logs. */
  status?: string;
  /** Documented as deprecated by the provider (still read). */
  deprecated?: boolean;
}

/** How a provider's webhooks are verified and read (src/webhooks). */
export interface WebhookSpec {
  /** Documentation reference. */
  source?: string;
  /** Environment variable that holds the signing key. */
  keyEnv: string;
  signature: WebhookSignatureSpec;
  /** Field of the delivered JSON that holds the event as a JSON string (parsed again); absent: the body is the event. */
  envelope?: string;
  /** JSONata over the event: its type. */
  type: string;
  /** JSONata expressions over the event whose values (with the type) identify one delivery, for de-duplication. */
  dedupe: string[];
  /** Event types answered 200 without any effect (e.g. a connection test). */
  ignore?: string[];
  /** Event types that report a status, by type. */
  statusEvents: Record<string, WebhookStatusEvent>;
}

/** A provider pack (`providers/<name>.yaml`): a provider described as data. */
export interface ProviderPack {
  name: string;
  title: string;
  docs?: string;
  environments: Record<string, { baseUrl: string; description?: string; documented?: boolean }>;
  /** Environment used when a Data Map names none; absent when none is safe to assume. */
  defaultEnvironment?: string;
  /** Static headers sent on every call. */
  headers?: Record<string, string>;
  credentials: Record<string, CredentialSpec>;
  auth: { default: string; schemes: Record<string, AuthScheme> };
  errors: ErrorSpec;
  rateLimit?: { perSecond?: number; note?: string };
  /** Explicit assumptions where the provider's public docs are silent. */
  assumptions?: string[];
  operations: Record<string, OperationSpec>;
  /** How the provider's webhooks are verified and read, when it sends any. */
  webhooks?: WebhookSpec;
}
