/** Helpers of the studio tests: a scratch project, raw HTTP requests (any Host/Origin), the page build. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataMap, openJournal, readRecords, runRecords, startSandbox } from '../../src/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAP = 'mappings/field-service-to-revolv3.yaml';
export const INPUT = 'examples/field-service/invoices.json';

/** A scratch copy of a shipped map, its test file and its sample records, so Save may write. */
export function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'datamap-studio-'));
  mkdirSync(join(dir, 'mappings'));
  mkdirSync(join(dir, 'examples', 'field-service'), { recursive: true });
  for (const f of [MAP, MAP.replace(/\.yaml$/, '.test.yaml'), INPUT]) cpSync(join(ROOT, f), join(dir, f));
  return dir;
}

/** Builds the page bundle from the current source (what `npm run build` does for it). */
export function buildPage(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-studio-page.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/** One HTTP request with exactly the headers given (Host included), as a hostile page or tool could send. */
export function send(port: number, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Writes a real run journal: the shipped map run on its samples against a sandbox (what `datamap run --journal` does). */
export async function makeJournal(file: string, now?: number): Promise<string> {
  const sandbox = await startSandbox({ seed: 'studio-journal' });
  const journal = openJournal(file);
  try {
    const map = loadDataMap({ file: join(ROOT, MAP) });
    for await (const r of runRecords(map, readRecords([readFileSync(join(ROOT, INPUT), 'utf8')], { source: INPUT }), {
      baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {}, journal,
      ...(now !== undefined ? { clock: { now: () => now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) } } : {}),
    })) void r;
    const [run] = await journal.listRuns();
    return run!.runId;
  } finally {
    await journal.close();
    await sandbox.close();
  }
}
