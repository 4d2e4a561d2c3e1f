import type { Command } from 'commander';
import {
  DatamapError,
  describeOperation,
  describeProvider,
  describeProviders,
  type FieldDescription,
  type OperationDetails,
  type OperationSummary,
  type ProviderDetails,
  type ProviderSummary,
} from '../../index.js';
import type { CliIo } from '../io.js';

/**
 * Registers `datamap providers [name [operation]] [--json]`: the installed packs, one pack in
 * detail (with its assumptions), or one operation's request fields, response fields and rules.
 * Exit 0, or 2 for an unknown pack or operation.
 */
export function registerProvidersCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('providers')
    .description('Reference of the provider packs: list them, show one pack, or one operation\'s request and response fields')
    .argument('[name]', 'provider pack, e.g. revolv3')
    .argument('[operation]', 'operation of the pack, e.g. payments.sale')
    .option('--json', 'machine-readable output')
    .action((name: string | undefined, operation: string | undefined, opts: { json?: boolean }) => {
      try {
        if (name === undefined) {
          const list = describeProviders();
          io.stdout(opts.json ? JSON.stringify({ providers: list }, null, 2) + '\n' : formatProviderList(list));
        } else if (operation === undefined) {
          const pack = describeProvider(name);
          io.stdout(opts.json ? JSON.stringify(pack, null, 2) + '\n' : formatProvider(pack));
        } else {
          const op = describeOperation(name, operation);
          io.stdout(opts.json ? JSON.stringify(op, null, 2) + '\n' : formatOperation(op));
        }
        setCode(0);
      } catch (err) {
        if (!(err instanceof DatamapError)) throw err;
        const errors = err.diagnostics.map((d) => ({ code: d.code, message: d.message, hint: d.hint }));
        if (opts.json) io.stdout(JSON.stringify({ error: errors[0], errors }, null, 2) + '\n');
        else for (const e of errors) io.stderr(`error ${e.code}: ${e.message}\n  hint: ${e.hint}\n`);
        setCode(2);
      }
    });
}

// ---------------------------------------------------------------- lists and packs

function operationLines(ops: OperationSummary[], indent: string): string[] {
  const idW = Math.max(...ops.map((o) => o.id.length), 4);
  const routeW = Math.max(...ops.map((o) => o.method.length + 1 + o.path.length), 4);
  return ops.map((o) => {
    const route = `${o.method} ${o.path}`;
    const idem = o.idempotent ? 'idempotent    ' : 'not idempotent';
    const origin = o.assumed ? 'ASSUMED   ' : 'documented';
    return `${indent}${o.id.padEnd(idW)}  ${route.padEnd(routeW)}  ${idem}  ${origin}  ${o.summary}`;
  });
}

function headerLines(p: ProviderSummary, verbose: boolean): string[] {
  const out = [`${p.name} — ${p.title}${p.docs ? `  (${p.docs})` : ''}`];
  if (verbose) {
    out.push('  environments:');
    for (const e of p.environments) out.push(`    ${e.name}${e.default ? ' (default)' : ''}${e.documented ? '' : ' (NOT documented: a guess)'}: ${e.baseUrl}${e.description ? ` — ${e.description}` : ''}`);
    if (!p.defaultEnvironment) out.push('    no default: a Data Map must choose one (provider.environment) or a run gives --env');
    out.push('  auth schemes (provider.auth):');
    for (const a of p.auth) out.push(`    ${a.name}${a.default ? ' (default)' : ''}: ${authText(a)}${a.description ? ` — ${a.description}` : ''}`);
    out.push('  credentials (environment variables):');
    for (const c of p.credentials) out.push(`    ${c.name}: $${c.env}${c.description ? ` — ${c.description}` : ''}`);
  } else {
    out.push(`  environments: ${p.environments.map((e) => `${e.name} ${e.baseUrl}${e.default ? ' (default)' : ''}`).join('; ')}`);
    out.push(`  auth: ${p.auth.map((a) => `${a.name}${a.default ? ' (default)' : ''}: ${authText(a)}`).join('; ')}`);
    out.push(`  credentials: ${p.credentials.map((c) => `${c.name} from $${c.env}`).join('; ')}`);
  }
  return out;
}

function authText(a: ProviderSummary['auth'][number]): string {
  const prefix = a.prefix ? ` "${a.prefix}"` : '';
  return a.type === 'header'
    ? `header ${a.header}${prefix} + ${a.credentials.join(', ')}`
    : `token exchange with ${a.credentials.join(' + ')}, then header ${a.header}${prefix} + token`;
}

function formatProviderList(list: ProviderSummary[]): string {
  const out: string[] = [];
  for (const p of list) {
    out.push(...headerLines(p, false));
    out.push('  operations:');
    out.push(...operationLines(p.operations, '    '));
    out.push('');
  }
  out.push('Details of a pack: datamap providers <name>; of an operation: datamap providers <name> <operation>.');
  return out.join('\n') + '\n';
}

function formatProvider(p: ProviderDetails): string {
  const out = headerLines(p, true);
  if (Object.keys(p.headers).length) out.push(`  headers on every call: ${Object.entries(p.headers).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  if (p.rateLimit) out.push(`  rate limit: ${p.rateLimit.perSecond !== undefined ? `${p.rateLimit.perSecond}/s` : ''}${p.rateLimit.note ? ` — ${p.rateLimit.note}` : ''}`);
  out.push(`  retried when nothing can have happened: HTTP ${p.errors.retryableStatuses.join(', ')}; outcome unknown (reconciled) after: HTTP ${p.errors.unknownOutcomeStatuses.join(', ')}`);
  out.push('  operations:');
  out.push(...operationLines(p.operations, '    '));
  if (p.internalOperations.length) out.push(`  internal operations (not usable in steps): ${p.internalOperations.join(', ')}`);
  out.push(`  assumptions (${p.assumptions.length}):`);
  p.assumptions.forEach((a, i) => out.push(`    ${String(i + 1).padStart(2)}. ${a}`));
  out.push('');
  out.push(`Details of an operation: datamap providers ${p.name} <operation>.`);
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- one operation

const SENSITIVE_TEXT: Record<NonNullable<FieldDescription['sensitive']>, string> = {
  cardNumber: 'SENSITIVE card number (masked to first 6 + last 4)',
  securityCode: 'SENSITIVE security code (never shown)',
  secret: 'SENSITIVE secret (never shown)',
};

function lit(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

function range(min: number | undefined, max: number | undefined, what: string): string | undefined {
  if (min !== undefined && max !== undefined) return min === max ? `${what} exactly ${min}` : `${what} ${min}..${max}`;
  if (min !== undefined) return `${what} >= ${min}`;
  if (max !== undefined) return `${what} <= ${max}`;
  return undefined;
}

/** The rules of a field in words: enum, const, format, length, pattern, range, decimals, items. */
function fieldRules(f: FieldDescription): string[] {
  const r: string[] = [];
  if (f.const !== undefined) r.push(`always ${lit(f.const)}`);
  if (f.enum) r.push(`one of ${f.enum.map(lit).join(' | ')}`);
  if (f.format) r.push(`format ${f.format}`);
  const len = range(f.minLength, f.maxLength, 'length');
  if (len) r.push(len);
  if (f.pattern) r.push(`pattern ${f.pattern}`);
  if (f.minimum !== undefined) r.push(`minimum ${f.minimum}`);
  if (f.exclusiveMinimum !== undefined) r.push(`greater than ${f.exclusiveMinimum}`);
  if (f.maximum !== undefined) r.push(`maximum ${f.maximum}`);
  if (f.exclusiveMaximum !== undefined) r.push(`less than ${f.exclusiveMaximum}`);
  if (f.maxDecimals !== undefined) r.push(`at most ${f.maxDecimals} decimal${f.maxDecimals === 1 ? '' : 's'}`);
  const items = range(f.minItems, f.maxItems, 'items');
  if (items) r.push(items);
  if (f.default !== undefined) r.push(`default ${lit(f.default)}`);
  if (f.examples?.length) r.push(`e.g. ${f.examples.map(lit).join(', ')}`);
  return r;
}

function typeText(f: FieldDescription): string {
  if (f.types.length === 0) return 'any';
  return f.types.join(' | ');
}

function choiceText(c: NonNullable<FieldDescription['choices']>[number]): string {
  const opts = c.options.map((o) => o.join(' + ')).join(' | ');
  return `${c.kind === 'oneOf' ? 'exactly one of' : 'at least one of'}: ${opts}${c.description ? ` (${c.description})` : ''}`;
}

function fieldTree(f: FieldDescription, indent: string, out: string[]): void {
  const mark = f.name === '[]' ? ' ' : f.required ? '*' : '-';
  const label = f.name === '[]' ? '[] each element' : f.name;
  const parts = [typeText(f), ...fieldRules(f)];
  if (f.sensitive) parts.push(SENSITIVE_TEXT[f.sensitive]);
  if (f.additionalProperties === false && f.properties?.length) parts.push('no other fields');
  let line = `${indent}${mark} ${label}: ${parts.join('; ')}`;
  if (f.description) line += ` — ${f.description}`;
  if (f.ref) line += `  [${f.ref}]`;
  out.push(line);
  const sub = indent + '    ';
  for (const c of f.choices ?? []) out.push(`${sub}rule: ${choiceText(c)}`);
  for (const n of f.notes ?? []) out.push(`${sub}rule: ${n}`);
  for (const p of f.properties ?? []) fieldTree(p, sub, out);
  if (f.items) fieldTree(f.items, sub, out);
  if (f.alternatives) {
    out.push(`${sub}${f.alternatives.kind === 'oneOf' ? 'exactly one' : 'any'} of these shapes:`);
    f.alternatives.options.forEach((o, i) => fieldTree({ ...o, name: `(shape ${i + 1})`, required: false }, sub + '  ', out));
  }
}

function classifyText(op: OperationDetails): string {
  const c = op.classify;
  const rules = (c.rules ?? []).map((r) => `${r.class} when ${r.when.map((w) => `${w.of === 'request' ? 'request ' : ''}${w.field}${w.in ? ` is ${w.in.map(lit).join('/')}` : ''}${w.present === undefined ? '' : w.present ? ' is present' : ' is missing'}`).join(' and ')} (${r.source})`);
  const first = rules.length ? `first: ${rules.join('; ')}; then ` : '';
  if (!c.field) return `${first}any 2xx response is ${c.default}`;
  const classes = (['succeeded', 'declined', 'pending', 'failed', 'unknown'] as const)
    .filter((k) => (c[k]?.length ?? 0) > 0)
    .map((k) => `${k} when ${c[k]!.map(lit).join(', ')}`);
  return `${first}by response field ${c.field}: ${classes.join('; ')}; anything else (or missing) is ${c.default}${c.source ? ` (source ${c.source})` : ''}`;
}

function reconcileText(op: OperationDetails): string {
  if (op.reconcile) {
    const params = Object.entries(op.reconcile.params).map(([k, v]) => `${k} = ${v}`).join(', ');
    const found = op.reconcile.found.trim().replace(/\s+/g, ' ');
    return `after an unknown outcome (timeout, 500/502/504) look it up with ${op.reconcile.operation} (${params}); adopt the result of: ${found}`;
  }
  if (op.idempotent) return 'not needed: the operation is idempotent and simply retried';
  return 'none: after an unknown outcome (timeout, 500/502/504) the call is never resent; check the provider by hand';
}

function formatOperation(op: OperationDetails): string {
  const out: string[] = [];
  out.push(`${op.provider} ${op.id} — ${op.summary}`);
  out.push(`  ${op.method} ${op.path}`);
  out.push(`  ${op.idempotent ? 'idempotent (safe to resend)' : 'not idempotent (never blindly resent)'}; ${op.assumed ? `ASSUMED contract (see datamap providers ${op.provider}, assumptions)` : 'documented'}${op.source ? `; source ${op.source}` : ''}`);
  if (op.internal) out.push('  internal: used by the engine itself, not usable as a Data Map step');
  out.push(`  path params: ${op.pathParams.length ? op.pathParams.join(', ') + ' (all required in the step\'s params)' : 'none'}`);
  out.push(`  query params: ${op.query.length ? op.query.join(', ') : 'none'}`);
  out.push(`  classification: ${classifyText(op)}`);
  out.push(`  reconcile: ${reconcileText(op)}`);
  const kinds = { cardNumber: 'card number', securityCode: 'security code', secret: 'secret' };
  const sens = op.sensitive.map((f) => `${f.path} (${kinds[f.kind]})`);
  if (sens.length) out.push(`  sensitive fields (masked in all output): ${sens.join(', ')}`);
  out.push('');
  if (op.request) {
    out.push(`REQUEST body (${op.requestSchema}) — * required, - optional:`);
    const root = op.request;
    out.push(`  ${typeText(root)}${root.additionalProperties === false ? '; no other fields' : ''}${root.description ? ` — ${root.description}` : ''}`);
    for (const c of root.choices ?? []) out.push(`    rule: ${choiceText(c)}`);
    for (const n of root.notes ?? []) out.push(`    rule: ${n}`);
    for (const p of root.properties ?? []) fieldTree(p, '  ', out);
    if (root.items) fieldTree(root.items, '  ', out);
  } else {
    out.push('REQUEST: no body (give path and query parameters in the step\'s params).');
  }
  out.push('');
  if (op.response) {
    out.push(`RESPONSE (${op.responseSchema})${op.response.description ? ` — ${op.response.description}` : ''}`);
    out.push('  Later steps read these as $steps.<id>.<field> when this step has no `output` (with an `output`, $steps.<id> is what it produces):');
    if (op.response.types.includes('array')) {
      out.push('  The response is an array: $steps.<id>.<field> gives that field of every element, $steps.<id>[0].<field> of the first.');
    }
    const w = Math.min(60, Math.max(0, ...op.responseFields.map((f) => f.expression.length)));
    for (const f of op.responseFields) {
      out.push(`  ${f.expression.padEnd(w)}  ${f.types.length ? f.types.join(' | ') : 'any'}${f.description ? ` — ${f.description}` : ''}`);
    }
    if (op.responseFields.length === 0) out.push(`  (the whole response: ${typeText(op.response)})`);
  } else {
    out.push('RESPONSE: no schema.');
  }
  return out.join('\n') + '\n';
}
