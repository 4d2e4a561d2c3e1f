/**
 * Editor completion from the packs: schemas/datamap.schema.json carries every provider name and,
 * per provider, its operation ids, environments, auth schemes and credential names, generated
 * from providers/*.yaml (`npm run schema`). The file must be up to date, and the real
 * yaml-language-server, spoken to over LSP, must complete `operation:` with the provider's
 * operations and flag a misspelled one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getProvider, listProviders } from '../../src/index.js';
import { dataMapEditorSchema, formatSchema } from '../../src/editor/index.js';
import { LspClient } from './lsp-client.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const schemaFile = join(root, 'schemas/datamap.schema.json');

describe('schemas/datamap.schema.json', () => {
  it('is up to date with the provider packs (run npm run schema after changing a pack)', () => {
    const text = readFileSync(schemaFile, 'utf8');
    const packs = listProviders().map((n) => getProvider(n)!);
    expect(text, 'schemas/datamap.schema.json is stale: run npm run schema').toBe(formatSchema(dataMapEditorSchema(JSON.parse(text) as Record<string, unknown>, packs)));
  });

  it('lists every pack and, per pack, every public operation, environment and auth scheme', () => {
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $defs: { providerName: { enum: string[] }; packs: { allOf: unknown[] } } };
    expect(schema.$defs.providerName.enum).toEqual(listProviders());
    const text = JSON.stringify(schema.$defs.packs);
    for (const name of listProviders()) {
      const pack = getProvider(name)!;
      for (const [id, op] of Object.entries(pack.operations)) if (!op.internal) expect(text).toContain(JSON.stringify(id));
      for (const env of Object.keys(pack.environments)) expect(text).toContain(JSON.stringify(env));
      for (const scheme of Object.keys(pack.auth.schemes)) expect(text).toContain(JSON.stringify(scheme));
    }
  });

  it('regenerating is a no-op on its own output and keeps the hand-written parts', () => {
    const base = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
    const packs = listProviders().map((n) => getProvider(n)!);
    const once = dataMapEditorSchema(base, packs);
    expect(dataMapEditorSchema(once, packs)).toEqual(once);
    expect(Object.keys(once.properties as object)).toEqual(Object.keys(base.properties as object));
  });
});

describe('yaml-language-server over LSP', () => {
  let lsp: LspClient;
  // a document that is never written: its text goes over LSP, its modeline points at the real schema
  const uri = pathToFileURL(join(root, 'mappings', 'lsp-probe.yaml')).href;

  beforeAll(async () => {
    lsp = new LspClient();
    lsp.onRequest = (m) => (m.method === 'workspace/configuration' ? [{ validate: true, completion: true, hover: true, schemas: {} }] : null);
    await lsp.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      capabilities: { textDocument: { completion: { completionItem: { snippetSupport: false } }, publishDiagnostics: {} }, workspace: { configuration: true } },
    });
    lsp.notify('initialized', {});
    lsp.notify('workspace/didChangeConfiguration', { settings: { yaml: { validate: true, completion: true, hover: true, schemas: {} } } });
  }, 30000);

  afterAll(async () => {
    await lsp?.close();
  });

  const text = (operation: string, provider = 'revolv3') => `# yaml-language-server: $schema=../schemas/datamap.schema.json
provider: ${provider}
key: invoiceNumber
steps:
  - id: sale
    operation: ${operation}
`;

  let version = 0;
  function open(content: string): void {
    version++;
    if (version === 1) lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text: content } });
    else lsp.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: content }] });
  }

  interface Diag { message: string; range: { start: { line: number; character: number } } }

  it('flags payments.sael at its line, and accepts payments.sale', async () => {
    const flagged = lsp.waitFor<{ uri: string; diagnostics: Diag[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0);
    open(text('payments.sael'));
    const bad = await flagged;
    const onOperation = bad.diagnostics.filter((d) => d.range.start.line === 5);
    expect(onOperation.length, JSON.stringify(bad.diagnostics)).toBeGreaterThan(0);
    expect(onOperation.map((d) => d.message).join('\n')).toMatch(/payments\.sale/);

    const clean = lsp.waitFor<{ uri: string; diagnostics: Diag[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 0);
    open(text('payments.sale'));
    await clean;
  });

  it('completes operation: with the provider\'s operations (payments.sale for Revolv3, not Invoiss ones)', async () => {
    const content = text('');
    open(content);
    const result = await lsp.request<{ items: Array<{ label: string }> } | Array<{ label: string }>>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 5, character: '    operation: '.length },
    });
    const labels = (Array.isArray(result) ? result : result.items).map((i) => i.label);
    expect(labels).toContain('payments.sale');
    expect(labels).toContain('invoices.refund');
    expect(labels).not.toContain('auth.token'); // internal
    expect(labels).not.toContain('orders.create'); // an Invoiss operation
  });

  it('completes the provider name and flags an unknown one', async () => {
    const flagged = lsp.waitFor<{ uri: string; diagnostics: Diag[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.some((d) => d.range.start.line === 1));
    open(text('payments.sale', 'stripe'));
    await flagged;
    const result = await lsp.request<{ items: Array<{ label: string }> } | Array<{ label: string }>>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 1, character: 'provider: '.length },
    });
    const labels = (Array.isArray(result) ? result : result.items).map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['revolv3', 'invoiss']));
  });
});
