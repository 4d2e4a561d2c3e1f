/**
 * Environments (issue 10): no guessed host is a silent default. Invoiss documents only its
 * production host; its dev host comes from third-party code, so a map must choose explicitly.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataMap, DatamapError, getProvider } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { api, inlineMap, resetNock, run, type Seen } from '../executor/helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);
afterAll(() => nock.enableNetConnect());

const MAP = `
version: 1
name: no environment
provider: { name: invoiss }
key: id
steps:
  - id: client
    operation: clients.get
    params: { clientId: id }
`;

describe('Invoiss environments', () => {
  it('the pack has no default, and marks the dev host as not documented', () => {
    const pack = getProvider('invoiss')!;
    expect(pack.defaultEnvironment).toBeUndefined();
    expect(pack.environments.production).toMatchObject({ baseUrl: 'https://api.invoiss.com', documented: true });
    expect(pack.environments.sandbox).toMatchObject({ baseUrl: 'https://api-dev.invoiss.com', documented: false });
  });

  it('validate warns, naming each environment and whether it is documented', () => {
    const { diagnostics } = checkDataMap({ text: MAP, file: 'm.yaml' });
    const d = diagnostics.find((x) => x.code === 'run/environment-required')!;
    expect(d).toMatchObject({ severity: 'warning', location: { line: 4 } });
    expect(d.hint).toContain('production (https://api.invoiss.com, documented)');
    expect(d.hint).toContain('sandbox (https://api-dev.invoiss.com, NOT documented by the provider: a guess)');
  });

  it('a run without an environment is refused before any call, listing the choices', async () => {
    const seen: Seen[] = [];
    api('https://api-dev.invoiss.com', seen).get(() => true).reply(200, {});
    api('https://api.invoiss.com', seen).get(() => true).reply(200, {});
    const err = await run(inlineMap(MAP), [{ id: 'c1' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatamapError);
    expect((err as DatamapError).code).toBe('run/environment-required');
    expect((err as DatamapError).diagnostics[0]!.hint).toMatch(/production .*documented.*sandbox .*NOT documented/);
    expect(seen).toEqual([]);
  });

  it('an explicit environment (in the run) is used', async () => {
    const seen: Seen[] = [];
    api('https://api.invoiss.com', seen).get('/public/clients/c1').reply(200, { id: 'c1', name: 'C' });
    const [r] = await run(inlineMap(MAP), [{ id: 'c1' }], { environment: 'production' });
    expect(r!.outcome).toBe('succeeded');
    expect(seen).toHaveLength(1);
  });

  it('the CLI exits 2 with the message and the choices', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datamap-env-'));
    writeFileSync(join(dir, 'm.yaml'), MAP);
    writeFileSync(join(dir, 'r.json'), '[{"id":"c1"}]');
    const r = await runCli(['run', join(dir, 'm.yaml'), '--input', join(dir, 'r.json')], { env: { INVOISS_TOKEN: 'tok_123456' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run/environment-required');
    expect(r.stderr).toContain('api-dev.invoiss.com, NOT documented');
  });
});
