import { diagnostic, hasErrors, type Diagnostic } from '../errors/diagnostic.js';
import { maskCredentials } from '../redact/mask.js';
import { compileExpression, type CompiledExpression } from '../expressions/compile-expression.js';
import { ENGINE_VARIABLES, JSONATA_BUILTINS } from '../expressions/builtins.js';
import { getProvider, listProviders, pathParams } from '../providers/registry.js';
import type { ProviderPack } from '../providers/pack-types.js';
import { shippedSchema, compileUserSchema, type ValidateFunction } from '../schemas/ajv.js';
import { engineDataMapSchema } from '../editor/index.js';
import { similarNames } from '../analysis/schema-nav.js';
import { formatPath, toViolations } from '../schemas/ajv-diagnostics.js';
import type { PathSegment } from '../source/pointer.js';
import type { SourceDocument } from '../source/yaml-document.js';
import { compileSettings, settingRefs } from '../settings/compile.js';
import type { CompiledMap, CompiledParam, CompiledStep, DataMapSpec, Expr, ProviderSettings, ResolvedOperation, ResolvedProvider } from './types.js';

/** Compiles a parsed Data Map: schema, provider, cross-field rules, every expression once. */
export function compileDataMap(source: SourceDocument): { map?: CompiledMap; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [...source.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics };
  const value = source.value;
  const at = (path: PathSegment[], key = false) => source.locate(path, { key });

  const validate = engineValidator();
  if (!validate(value)) {
    // a misspelled top-level key (`stpes`) is one mistake: one error with a did-you-mean, instead
    // of "unknown property", "missing required property" and every rule that needs the key
    const typos = misspelledTopLevelKeys(value);
    if (typos.length > 0) {
      for (const t of typos) {
        diagnostics.push(diagnostic('datamap/unknown-key', `Unknown key "${t.key}": did you mean "${t.suggestion}"?`, {
          location: at([t.key], true),
          hint: `Rename it to "${t.suggestion}". The top-level keys of a Data Map are ${TOP_LEVEL_KEYS.filter((k) => k !== '$schema').join(', ')}.`,
          data: { key: t.key, suggestion: t.suggestion },
        }));
      }
      return { diagnostics };
    }
    for (const v of toViolations(validate.errors)) {
      // a credential given as text (pattern) or as a bare number (type) is a literal secret
      const isSecret = v.path[0] === 'provider' && v.path[1] === 'credentials' && v.path.length === 3
        && (v.keyword === 'pattern' || (v.keyword === 'type' && typeof credentialValue(value, String(v.path[2])) === 'number'));
      diagnostics.push(isSecret
        ? diagnostic('datamap/literal-secret', `provider.credentials.${String(v.path[2])} holds a literal value; write it as \${ENV_NAME}`, { location: at(v.path), data: { secret: true } })
        : diagnostic('datamap/schema', `${formatPath(v.path)}: ${v.message}`, { location: at(v.path, v.atKey) }));
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { diagnostics: diagnostics.length ? diagnostics : [diagnostic('datamap/schema', 'A Data Map must be a YAML mapping', { location: at([]) })] };
  }
  const spec = value as DataMapSpec;
  const settings = compileSettings(spec.settings, source, diagnostics);
  const ctx: Ctx = { source, diagnostics, stepIds: [], settings: new Set(settings.map((s) => s.name)) };

  const provider = resolveProvider(spec, ctx);
  let inputValidator: CompiledMap['inputValidator'];
  if (spec.input && typeof spec.input === 'object') {
    try {
      inputValidator = compileUserSchema(spec.input);
    } catch (err) {
      diagnostics.push(diagnostic('datamap/schema', `input is not a valid JSON Schema: ${(err as Error).message}`, { location: at(['input']) }));
    }
  }

  const lets: CompiledMap['lets'] = [];
  const known = new Set<string>();
  const rawSteps = Array.isArray(spec.steps) ? spec.steps : [];
  const allIds = rawSteps.map((s) => (s && typeof s === 'object' ? s.id : undefined));
  // allIds lets `$steps.<existing id>` in key/let be reported as "not here" rather than "no such step"
  const key = compileAt(ctx, ['key'], spec.key, { known, steps: 'none', allIds });
  if (isRecord(spec.let)) {
    for (const [name, expr] of Object.entries(spec.let)) {
      const compiled = compileAt(ctx, ['let', name], expr, { known, steps: 'none', allIds });
      if (compiled) lets.push({ name, expression: compiled });
      known.add(name);
    }
  }

  const steps: CompiledStep[] = [];
  const seenIds = new Set<string>();
  rawSteps.forEach((raw, index) => {
    if (!raw || typeof raw !== 'object' || typeof raw.id !== 'string') return;
    const path: PathSegment[] = ['steps', index];
    if (seenIds.has(raw.id)) {
      diagnostics.push(diagnostic('datamap/duplicate-step-id', `Step id "${raw.id}" is used twice`, { location: at([...path, 'id']) }));
    }
    const refs = { known, steps: 'before' as const, current: index, allIds };
    const operation = provider ? resolveOperation(provider.pack, spec.provider, raw.operation, [...path, 'operation'], ctx) : undefined;
    const when = raw.when === undefined ? undefined : compileAt(ctx, [...path, 'when'], raw.when, refs);
    const request = raw.request === undefined ? undefined : compileAt(ctx, [...path, 'request'], raw.request, { ...refs, repeatable: true });
    const output = raw.output === undefined ? undefined : compileAt(ctx, [...path, 'output'], raw.output, { ...refs, steps: 'upto' });
    const params: CompiledParam[] = [];
    // a mistyped `params` (a string, a list) is a schema error; do not read it as names
    const rawParams = isRecord(raw.params) ? raw.params : undefined;
    for (const [name, expr] of Object.entries(rawParams ?? {})) {
      const compiled = compileAt(ctx, [...path, 'params', name], expr, { ...refs, repeatable: true });
      const where = operation?.pathParams.includes(name) ? 'path' : 'query';
      if (operation && where === 'query' && !(operation.spec.query ?? []).includes(name)) {
        const allowed = [...operation.pathParams, ...(operation.spec.query ?? [])];
        diagnostics.push(diagnostic('datamap/unknown-param', `Operation ${operation.id} has no parameter "${name}"`, {
          location: at([...path, 'params', name], true),
          hint: allowed.length ? `Parameters of ${operation.id}: ${allowed.join(', ')}.` : `${operation.id} takes no parameters.`,
        }));
      }
      if (compiled) params.push({ name, in: where, expression: compiled });
    }
    if (operation && (raw.params === undefined || rawParams)) {
      for (const p of operation.pathParams) {
        if (!rawParams || !(p in rawParams)) {
          diagnostics.push(diagnostic('datamap/missing-path-param', `Step "${raw.id}" does not give path parameter "${p}" of ${operation.method} ${operation.path}`, { location: at([...path, raw.params ? 'params' : 'operation']) }));
        }
      }
    }
    if (operation) {
      if (raw.request !== undefined && !operation.spec.request) {
        diagnostics.push(diagnostic('datamap/unexpected-request', `${operation.id} takes no request body`, { location: at([...path, 'request'], true) }));
      }
      if (raw.request === undefined && operation.spec.request) {
        diagnostics.push(diagnostic('datamap/missing-request', `Step "${raw.id}" (${operation.id}) needs a request body`, { location: at(path) }));
      }
    }
    ctx.stepIds.push(raw.id);
    seenIds.add(raw.id);
    if (operation) {
      const step: CompiledStep = { id: raw.id, index, operation, params, path };
      if (raw.description) step.description = raw.description;
      if (when) step.when = when;
      if (request) step.request = request;
      if (output) step.output = output;
      steps.push(step);
    }
  });
  const result = spec.result === undefined ? undefined : compileAt(ctx, ['result'], spec.result, { known, steps: 'all', allIds });
  const total = spec.total === undefined ? undefined : compileAt(ctx, ['total'], spec.total, { known, steps: 'all', allIds });
  maskSecretLines(diagnostics);

  if (hasErrors(diagnostics) || !provider || !key) return { diagnostics };
  const map: CompiledMap = {
    file: source.file,
    name: spec.name ?? source.file,
    source,
    spec,
    provider,
    settings,
    key,
    lets,
    steps,
    diagnostics,
  };
  if (inputValidator) map.inputValidator = inputValidator;
  if (result) map.result = result;
  if (total) map.total = total;
  return { map, diagnostics };
}

/** A plain mapping (not null, not a list). */
function isRecord<T extends object>(v: T | null | undefined): v is T {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The raw value of `provider.credentials.<name>`, when the Data Map has one. */
function credentialValue(value: unknown, name: string): unknown {
  const provider = (value as { provider?: unknown } | null)?.provider;
  const credentials = provider && typeof provider === 'object' ? (provider as { credentials?: unknown }).credentials : undefined;
  return credentials && typeof credentials === 'object' ? (credentials as Record<string, unknown>)[name] : undefined;
}

/**
 * A code frame shows the whole source line. Any other finding on a line that holds a literal
 * secret (a flow mapping, or the key of an unknown credential) is marked secret too, without
 * an end, so the frame masks that line from its column on instead of echoing the secret.
 */
function maskSecretLines(diagnostics: Diagnostic[]): void {
  const secretLines = new Set<string>();
  for (const d of diagnostics) {
    if (d.code === 'datamap/literal-secret' && d.location) secretLines.add(`${d.location.file}:${d.location.line}`);
  }
  if (secretLines.size === 0) return;
  for (const d of diagnostics) {
    if (d.code === 'datamap/literal-secret' || !d.location || !secretLines.has(`${d.location.file}:${d.location.line}`)) continue;
    const location = { ...d.location };
    delete location.endLine;
    delete location.endColumn;
    d.location = location;
    d.data = { ...d.data, secret: true };
  }
}

interface Ctx {
  source: SourceDocument;
  diagnostics: Diagnostic[];
  stepIds: string[];
  settings: Set<string>;
}

interface RefRules {
  known: Set<string>;
  /** Which `$steps.x` are allowed: none, those before `current`, up to and including it, or all. */
  steps: 'none' | 'before' | 'upto' | 'all';
  current?: number;
  allIds?: Array<string | undefined>;
  repeatable?: boolean;
}

/** Compiles the expression at `path` and checks the variables and steps it refers to. */
function compileAt(ctx: Ctx, path: PathSegment[], expr: Expr | undefined, rules: RefRules): CompiledExpression | undefined {
  if (expr === undefined || (typeof expr !== 'string' && typeof expr !== 'number' && typeof expr !== 'boolean')) return undefined;
  const text = typeof expr === 'string' ? expr : JSON.stringify(expr);
  const locate = typeof expr === 'string' ? (o: number) => ctx.source.locateInScalar(path, o) : () => ctx.source.locate(path);
  const { expression, diagnostics } = compileExpression(text, locate, { repeatable: rules.repeatable === true });
  ctx.diagnostics.push(...diagnostics);
  if (!expression) return undefined;
  const defined = expression.facts.defined;
  for (const v of expression.facts.variables) {
    if (v.name === 'env' && !defined.has('env')) {
      ctx.diagnostics.push(diagnostic('datamap/env-variable', '$env is not available to expressions: declare the value under settings: and read it as $settings.<name>', { location: locate(v.offset) }));
      continue;
    }
    if (v.name === 'settings' && !defined.has('settings')) continue;
    if (v.name === 'steps' || rules.known.has(v.name) || defined.has(v.name) || JSONATA_BUILTINS.has(v.name) || ENGINE_VARIABLES.has(v.name)) continue;
    ctx.diagnostics.push(diagnostic('datamap/unknown-let', `$${v.name} is not defined`, {
      location: locate(v.offset),
      hint: rules.known.size ? `Defined earlier under let: ${[...rules.known].map((n) => '$' + n).join(', ')}.` : undefined,
    }));
  }
  if (typeof expr === 'string') {
    for (const ref of settingRefs(expr)) {
      if (ctx.settings.has(ref.name)) continue;
      ctx.diagnostics.push(diagnostic('datamap/unknown-setting', `$settings.${ref.name} is not declared under settings:`, {
        location: locate(ref.offset),
        hint: ctx.settings.size ? `Declared settings: ${[...ctx.settings].join(', ')}.` : 'Declare it under settings: (with env: VAR_NAME).',
      }));
    }
  }
  for (const ref of expression.facts.stepRefs) {
    const index = (rules.allIds ?? []).indexOf(ref.stepId);
    if (index === -1) {
      ctx.diagnostics.push(diagnostic('datamap/unknown-step-reference', `$steps.${ref.stepId} names no step`, {
        location: locate(ref.offset),
        hint: ctx.stepIds.length ? `Steps before this point: ${ctx.stepIds.join(', ')}.` : undefined,
      }));
      continue;
    }
    const allowed = rules.steps === 'all' || (rules.steps === 'before' && index < (rules.current ?? 0)) || (rules.steps === 'upto' && index <= (rules.current ?? 0));
    if (!allowed) {
      ctx.diagnostics.push(diagnostic('datamap/forward-step-reference', rules.steps === 'none'
        ? `$steps.${ref.stepId} cannot be used here: key and let are computed before any step runs`
        : `$steps.${ref.stepId} runs after this step`, { location: locate(ref.offset) }));
    }
  }
  return expression;
}

function resolveProvider(spec: DataMapSpec, ctx: Ctx): ResolvedProvider | undefined {
  const settings: ProviderSettings | undefined = typeof spec.provider === 'string' ? { name: spec.provider } : spec.provider && typeof spec.provider === 'object' ? spec.provider : undefined;
  if (!settings || typeof settings.name !== 'string') return undefined;
  const namePath: PathSegment[] = typeof spec.provider === 'string' ? ['provider'] : ['provider', 'name'];
  let pack: ProviderPack | undefined;
  try {
    pack = getProvider(settings.name);
  } catch (err) {
    ctx.diagnostics.push(diagnostic('internal/error', `Provider pack ${settings.name} is broken: ${(err as Error).message}`, { location: ctx.source.locate(namePath) }));
    return undefined;
  }
  if (!pack) {
    ctx.diagnostics.push(diagnostic('datamap/unknown-provider', `No provider pack named "${settings.name}"`, { location: ctx.source.locate(namePath), hint: `Installed packs: ${listProviders().join(', ')}.` }));
    return undefined;
  }
  const environment = settings.environment ?? pack.defaultEnvironment ?? '';
  const env = pack.environments[environment];
  if (environment === '') {
    if (settings.baseUrl === undefined) {
      ctx.diagnostics.push(diagnostic('run/environment-required', `${pack.title} has no default environment: choose one with provider.environment (or datamap run --env)`, {
        severity: 'warning', location: ctx.source.locate(typeof spec.provider === 'string' ? ['provider'] : ['provider', 'name']), hint: environmentChoices(pack),
      }));
    }
  } else if (!env) {
    ctx.diagnostics.push(diagnostic('datamap/unknown-environment', `${pack.name} has no environment "${environment}"`, { location: ctx.source.locate(['provider', 'environment']), hint: `Environments: ${Object.keys(pack.environments).join(', ')}.` }));
  }
  const auth = settings.auth ?? pack.auth.default;
  if (!pack.auth.schemes[auth]) {
    ctx.diagnostics.push(diagnostic('datamap/unknown-auth', `${pack.name} has no auth scheme "${auth}"`, { location: ctx.source.locate(['provider', 'auth']), hint: `Schemes: ${Object.keys(pack.auth.schemes).join(', ')}.` }));
  }
  const credentialEnv: Record<string, string> = {};
  for (const [name, c] of Object.entries(pack.credentials)) credentialEnv[name] = c.env;
  for (const [name, ref] of Object.entries(isRecord(settings.credentials) ? settings.credentials : {})) {
    if (!(name in pack.credentials)) {
      ctx.diagnostics.push(diagnostic('datamap/schema', `${pack.name} has no credential "${name}"`, { location: ctx.source.locate(['provider', 'credentials', name], { key: true }), hint: `Credentials: ${Object.keys(pack.credentials).join(', ')}.` }));
      continue;
    }
    const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(String(ref));
    if (m) credentialEnv[name] = m[1]!;
  }
  for (const [opId, o] of Object.entries(isRecord(settings.operations) ? settings.operations : {})) {
    if (!pack.operations[opId] || pack.operations[opId]?.internal) {
      ctx.diagnostics.push(diagnostic('datamap/unknown-operation', `${pack.name} has no operation "${opId}" to override`, { location: ctx.source.locate(['provider', 'operations', opId], { key: true }) }));
    }
    if (isRecord(o) && o.baseUrl !== undefined) checkUrl(o.baseUrl, ['provider', 'operations', opId, 'baseUrl'], ctx);
  }
  if (settings.baseUrl !== undefined) checkUrl(settings.baseUrl, ['provider', 'baseUrl'], ctx);
  return {
    pack,
    environment,
    baseUrl: settings.baseUrl ?? env?.baseUrl ?? '',
    baseUrlOverridden: settings.baseUrl !== undefined,
    auth,
    credentialEnv,
  };
}

/** The pack's environments, each with its host and whether the provider documents it. */
export function environmentChoices(pack: ProviderPack): string {
  return `Environments: ${Object.entries(pack.environments).map(([n, e]) => `${n} (${e.baseUrl}, ${e.documented === false ? 'NOT documented by the provider: a guess' : 'documented'})`).join('; ')}.`;
}

function checkUrl(url: string, path: PathSegment[], ctx: Ctx): void {
  let ok = false;
  try {
    const u = new URL(url);
    ok = u.protocol === 'https:' || u.protocol === 'http:';
  } catch { /* reported below */ }
  if (!ok) ctx.diagnostics.push(diagnostic('datamap/invalid-base-url', `"${maskCredentials(String(url))}" is not an absolute http(s) URL`, { location: ctx.source.locate(path) }));
}

function resolveOperation(pack: ProviderPack, provider: DataMapSpec['provider'], opId: unknown, path: PathSegment[], ctx: Ctx): ResolvedOperation | undefined {
  if (typeof opId !== 'string') return undefined;
  const spec = pack.operations[opId];
  if (!spec || spec.internal) {
    const names = Object.entries(pack.operations).filter(([, o]) => !o.internal).map(([n]) => n);
    const close = names.filter((n) => similar(n, opId));
    ctx.diagnostics.push(diagnostic('datamap/unknown-operation', `${pack.name} has no operation "${opId}"`, {
      location: ctx.source.locate(path),
      hint: close.length ? `Did you mean ${close.join(' or ')}?` : `Operations: ${names.join(', ')}.`,
    }));
    return undefined;
  }
  const overrides = typeof provider === 'object' && provider !== null && isRecord(provider.operations) ? provider.operations : undefined;
  const override = overrides && isRecord(overrides[opId]) ? overrides[opId] : undefined;
  const p = typeof override?.path === 'string' ? override.path : spec.path;
  const op: ResolvedOperation = {
    id: opId,
    spec,
    method: override?.method ?? spec.method,
    path: p,
    pathParams: pathParams(p),
    overridden: override !== undefined,
  };
  if (override?.baseUrl) op.baseUrl = override.baseUrl;
  return op;
}

/** A loose did-you-mean: same parts in another case, or a small edit distance. */
function similar(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y || x.includes(y) || y.includes(x)) return true;
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0]![j] = j;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
  }
  return d[x.length]![y.length]! <= 3;
}

const TOP_LEVEL_KEYS = Object.keys((dataMapSchema() as { properties: Record<string, unknown> }).properties);

function dataMapSchema(): unknown {
  return shippedSchema('datamap.schema.json');
}

/** Top-level keys the format does not have that are a small edit away from one it has and that is absent. */
function misspelledTopLevelKeys(value: unknown): Array<{ key: string; suggestion: string }> {
  if (!isRecord(value as object) || Array.isArray(value)) return [];
  const present = new Set(Object.keys(value as object));
  const out: Array<{ key: string; suggestion: string }> = [];
  for (const key of present) {
    if (TOP_LEVEL_KEYS.includes(key)) continue;
    const close = similarNames(key, TOP_LEVEL_KEYS.filter((k) => !present.has(k)));
    if (close.length > 0) out.push({ key, suggestion: close[0]! });
  }
  return out;
}

let engine: ValidateFunction | undefined;

/** The Data Map validator, compiled once: the shipped schema without its editor-only pack constraints. */
function engineValidator(): ValidateFunction {
  // generated at build time (dist/validators) like the shipped schemas; compiled once otherwise
  engine ??= compileUserSchema(engineDataMapSchema(dataMapSchema() as Record<string, unknown>));
  return engine;
}
