/**
 * The HTTP client (axios, and the fetch globals it reads when it loads) is loaded when the first
 * transport is made, not when the library is imported: every command but `run` and `runs sync`
 * starts without it. Checked in a fresh Node process over the built library (dist), with the
 * module cache read before and after a transport is made (so the probe is shown to see it).
 */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const PROBE = `
const root = process.argv[1];
const { createRequire } = await import('node:module');
const { Readable } = await import('node:stream');
const cache = () => Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\\\/]node_modules[\\\\/]axios[\\\\/]/.test(k));
const lib = await import(root + '/dist/index.js');
const { main } = await import(root + '/dist/cli/main.js');
const io = { stdout: () => {}, stderr: () => {}, stdin: Readable.from([]), env: {}, now: () => 0, cwd: process.cwd() };
const afterImport = cache();
const codes = [await main(['--version'], io), await main(['providers'], io), await main(['validate', root + '/mappings/field-service-to-revolv3.yaml'], io)];
const afterCommands = cache();
const t = lib.createAxiosTransport();
t.close();
console.log(JSON.stringify({ afterImport, codes, afterCommands, afterTransport: cache() }));
`;

function node(args: string[]): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : ok(stdout)));
  });
}

describe('the HTTP client loads on first use', () => {
  it('is not loaded by importing the library nor by commands that send nothing; it is by making a transport', async () => {
    const out = await node(['--input-type=module', '-e', PROBE, root]);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { afterImport: boolean; codes: number[]; afterCommands: boolean; afterTransport: boolean };
    expect(r.codes).toEqual([0, 0, 0]);
    expect(r.afterImport).toBe(false);
    expect(r.afterCommands).toBe(false);
    expect(r.afterTransport).toBe(true);
  });
});
