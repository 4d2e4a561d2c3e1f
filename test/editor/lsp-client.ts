/** A minimal Language Server Protocol client over stdio, for testing against the real yaml-language-server. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';

export interface LspMessage {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

export class LspClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (m: LspMessage) => void>();
  private readonly listeners: Array<(m: LspMessage) => void> = [];
  /** Requests the server sent us (e.g. workspace/configuration): answered by this function. */
  onRequest: (m: LspMessage) => unknown = () => null;

  constructor() {
    const require = createRequire(import.meta.url);
    const server = require.resolve('yaml-language-server/bin/yaml-language-server');
    this.child = spawn(process.execPath, [server, '--stdio'], { stdio: 'pipe' });
    this.child.stdout.on('data', (chunk: Buffer) => this.read(chunk));
    this.child.stderr.resume();
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const header = this.buffer.subarray(0, end).toString('ascii');
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      const m = JSON.parse(body) as LspMessage;
      if (m.id !== undefined && m.method === undefined) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      } else if (m.id !== undefined && m.method !== undefined) {
        this.send({ id: m.id, result: this.onRequest(m) });
      } else {
        for (const l of [...this.listeners]) l(m);
      }
    }
  }

  private send(m: object): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...m });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result as T)));
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The next notification of this method that satisfies `accept`. */
  waitFor<T>(method: string, accept: (params: T) => boolean, timeoutMs = 15000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { remove(); reject(new Error(`no ${method} within ${timeoutMs} ms`)); }, timeoutMs);
      const listener = (m: LspMessage) => {
        if (m.method === method && accept(m.params as T)) { clearTimeout(timer); remove(); resolve(m.params as T); }
      };
      const remove = () => { const i = this.listeners.indexOf(listener); if (i !== -1) this.listeners.splice(i, 1); };
      this.listeners.push(listener);
    });
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } finally {
      this.child.stdin.end();
      if (this.child.exitCode === null) {
        await Promise.race([new Promise((r) => this.child.once('exit', r)), new Promise((r) => setTimeout(r, 2000))]);
        if (this.child.exitCode === null) this.child.kill();
      }
    }
  }
}
