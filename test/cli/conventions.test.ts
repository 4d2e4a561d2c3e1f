/**
 * CLI conventions (clig.dev, eslint, the Stripe CLI): every option value checked as a usage
 * error (exit 2) that names the flag; validate takes directories and `-`; CI formats (sarif,
 * junit, github) and --max-warnings on validate and test; colour through node:util.styleText
 * honouring NO_COLOR and FORCE_COLOR; help with examples, exit codes and credential variables;
 * the version from package.json; one meaning per short flag; shell completion; --env-file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'datamap-conventions-'));
const MAP = join(root, 'mappings/field-service-to-revolv3.yaml');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[\d+m/;

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A Data Map with one warning (an undeclared field that resembles a declared one in an open input schema). */
function warningMap(): string {
  const file = join(tmp, 'warn.yaml');
  const text = readFileSync(MAP, 'utf8');
  expect(text).toContain('$sum(lines.(qty * unitPrice))');
  writeFileSync(file, text.replace('$sum(lines.(qty * unitPrice))', '$sum(lines.(qty * unitPrce))'));
  return file;
}

describe('every option value is checked: usage/invalid-argument, exit 2, naming the flag', () => {
  const cases: Array<[string[], string]> = [
    [['sandbox', '--port', 'abc'], '--port'],
    [['sandbox', '--port', '70000'], '--port'],
    [['plan', MAP, '-i', 'examples/field-service/invoices.json', '--base-url', 'notaurl'], '--base-url'],
    [['run', MAP, '-i', 'examples/field-service/invoices.json', '--base-url', 'ftp://example.com'], '--base-url'],
    [['run', MAP, '-i', 'examples/field-service/invoices.json', '--timeout', 'soon'], '--timeout'],
    [['run', MAP, '-i', 'examples/field-service/invoices.json', '--timeout', '0'], '--timeout'],
    [['run', MAP, '-i', 'examples/field-service/invoices.json', '-o', join(tmp, 'no/such/folder/out.ndjson')], '--output'],
    [['validate', MAP, '--format', 'xml'], '--format'],
    [['validate', MAP, '--max-warnings', '-1'], '--max-warnings'],
    [['validate', MAP, '--max-warnings', 'few'], '--max-warnings'],
    [['test', '--format', 'tap'], '--format'],
    [['test', '--max-warnings', '1.5'], '--max-warnings'],
    [['explain', MAP, '-i', 'examples/field-service/invoices.json', '--record', '0'], '--record'],
    [['completion', 'powershell'], '<shell>'],
    [['--env-file', join(tmp, 'missing.env'), 'validate', MAP], '--env-file'],
    [['validate', MAP, '--colour'], '--colour'],
  ];
  for (const [argv, flag] of cases) {
    it(`${argv.filter((a) => !a.startsWith('/')).join(' ')}`, async () => {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('usage/invalid-argument');
      expect(r.stderr).toContain(flag);
      expect(r.stderr).not.toContain('internal/error');
      expect(r.stderr).toMatch(/hint: /);
    });
  }
});

describe('validate takes directories and standard input', () => {
  it('a directory: its Data Maps and test files, recursively', async () => {
    const r = await runCli(['validate', 'mappings']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok mappings/field-service-to-revolv3.yaml');
    expect(r.stdout).toContain('ok mappings/shopify-to-invoiss.test.yaml');
    expect(r.stdout).toContain('ok mappings/quickbooks-csv-to-revolv3.test.yaml');
    // every shipped map and its test file (five of each)
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('10 files: 0 errors, 0 warnings');
  });

  it('a directory without Data Maps is a usage error', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(empty, 'other.yaml'), 'name: not a data map\n');
    const r = await runCli(['validate', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds no Data Map');
  });

  it('- reads a Data Map from standard input, with code frames from that text', async () => {
    const good = await runCli(['validate', '-'], { stdin: [readFileSync(MAP, 'utf8')] });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('ok <stdin>');
    const bad = await runCli(['validate', '-'], { stdin: [readFileSync(MAP, 'utf8').replace('operation: payments.sale', 'operation: payments.sael')] });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/--> <stdin>:\d+:\d+\n.*\|\n.*operation: payments\.sael/);
  });
});

describe('CI formats and --max-warnings on validate', () => {
  it('--max-warnings: warnings pass by default, fail (exit 1) above the limit; errors still exit 2', async () => {
    const file = warningMap();
    expect((await runCli(['validate', file])).code).toBe(0);
    expect((await runCli(['validate', file, '--max-warnings', '1'])).code).toBe(0);
    const over = await runCli(['validate', file, '--max-warnings', '0']);
    expect(over.code).toBe(1);
    expect(over.stdout).toContain('Too many warnings: 1, more than --max-warnings 0.');
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, readFileSync(file, 'utf8').replace('operation: payments.sale', 'operation: payments.sael'));
    expect((await runCli(['validate', bad, '--max-warnings', '0'])).code).toBe(2);
  });

  it('--format sarif: a SARIF 2.1.0 log with a rule per code and a located result per finding', async () => {
    const bad = join(tmp, 'sarif.yaml');
    writeFileSync(bad, readFileSync(warningMap(), 'utf8').replace('"value": $total', '"value": "12.50"'));
    const r = await runCli(['validate', bad, '--format', 'sarif']);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.stdout) as { version: string; runs: Array<{ tool: { driver: { name: string; version: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; level: string; message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> }> }> };
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'datamap', version: pkg.version });
    expect(run.tool.driver.rules.map((x) => x.id)).toEqual(['check/type-mismatch', 'check/unknown-input-field']);
    const byRule = Object.fromEntries(run.results.map((x) => [x.ruleId, x]));
    expect(byRule['check/type-mismatch']).toMatchObject({ level: 'error' });
    expect(byRule['check/unknown-input-field']).toMatchObject({ level: 'warning' });
    const lines = readFileSync(bad, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('"12.50"')) + 1;
    expect(byRule['check/type-mismatch']!.locations[0]!.physicalLocation.region).toEqual(expect.objectContaining({ startLine: line, startColumn: lines[line - 1]!.indexOf('"12.50"') + 1 }));
    expect(byRule['check/type-mismatch']!.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/sarif\.yaml$/);
  });

  it('--format github: one workflow command per finding, file/line/col and escaped text', async () => {
    const bad = join(tmp, 'gh.yaml');
    writeFileSync(bad, readFileSync(MAP, 'utf8').replace('operation: payments.sale', 'operation: payments.sael'));
    const r = await runCli(['validate', bad, '--format', 'github']);
    expect(r.code).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const line = readFileSync(bad, 'utf8').split('\n').findIndex((l) => l.includes('payments.sael')) + 1;
    expect(lines[0]).toMatch(new RegExp(`^::error file=[^,]*gh\\.yaml,line=${line},col=\\d+,.*title=datamap datamap/unknown-operation::revolv3 has no operation "payments\\.sael"`));
    expect(lines[0]).not.toMatch(/\n/);
  });

  it('--format junit: a suite per file, a failure for an invalid one', async () => {
    const bad = join(tmp, 'junit.yaml');
    writeFileSync(bad, readFileSync(MAP, 'utf8').replace('operation: payments.sale', 'operation: payments.sael'));
    const r = await runCli(['validate', MAP, bad, '--format', 'junit']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="datamap validate" tests="2" failures="1" errors="0">/);
    expect(r.stdout.match(/<testsuite /g)).toHaveLength(2);
    expect(r.stdout).toMatch(/<failure message="1 error\(s\)">error datamap\/unknown-operation: revolv3 has no operation &quot;payments.sael&quot;/);
  });

  it('machine formats are never coloured, even with FORCE_COLOR', async () => {
    for (const format of ['json', 'sarif', 'github', 'junit']) {
      const r = await runCli(['validate', warningMap(), '--format', format], { env: { FORCE_COLOR: '1' } });
      expect(r.stdout, format).not.toMatch(ANSI);
    }
  });
});

describe('CI formats and --max-warnings on test', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(tmp, 'tests');
    mkdirSync(dir, { recursive: true });
    copyFileSync(MAP, join(dir, 'field-service-to-revolv3.yaml'));
    const text = readFileSync(join(root, 'mappings/field-service-to-revolv3.test.yaml'), 'utf8').replaceAll('../examples/', `${join(root, 'examples')}/`);
    // the first case now expects the wrong outcome
    writeFileSync(join(dir, 'field-service-to-revolv3.test.yaml'), text.replace('outcome: succeeded', 'outcome: declined'));
  });

  it('--format junit: a testcase per case, a failure for the failing one', async () => {
    const r = await runCli(['test', dir, '--format', 'junit']);
    expect(r.code).toBe(1);
    const cases = r.stdout.match(/<testcase /g) ?? [];
    expect(cases.length).toBeGreaterThan(1);
    expect(r.stdout.match(/<failure /g)).toHaveLength(1);
    expect(r.stdout).toContain('name="open invoice is charged with a sale for the sum of its lines"');
    expect(r.stdout).toMatch(/<failure message="[^"]+">[^<]*expected: &quot;declined&quot;/);
  });

  it('--format sarif and github: the failing case at its line in the test file', async () => {
    const sarif = await runCli(['test', dir, '--format', 'sarif']);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ ruleId: string; message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    const results = log.runs[0]!.results.filter((x) => x.ruleId === 'test/failed');
    expect(results).toHaveLength(1);
    expect(results[0]!.message.text).toContain('Case "open invoice is charged with a sale for the sum of its lines"');
    expect(results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/field-service-to-revolv3\.test\.yaml$/);
    const gh = await runCli(['test', dir, '--format', 'github']);
    expect(gh.stdout).toMatch(/^::error file=[^,]*field-service-to-revolv3\.test\.yaml,line=\d+,col=\d+.*title=datamap test\/failed::Case "open invoice/m);
  });

  it('--max-warnings 0 fails a passing run that has warnings', async () => {
    const w = join(tmp, 'tests-warn');
    mkdirSync(w, { recursive: true });
    const map = warningMap();
    copyFileSync(MAP, join(w, 'field-service-to-revolv3.yaml'));
    void map;
    const text = readFileSync(join(root, 'mappings/field-service-to-revolv3.test.yaml'), 'utf8').replaceAll('../examples/', `${join(root, 'examples')}/`);
    // a mocked response that does not match the provider's response schema is a warning
    expect(text).toContain('paymentMethodId: 501');
    writeFileSync(join(w, 'field-service-to-revolv3.test.yaml'), text.replace('paymentMethodId: 501', 'paymentMethodId: "five-oh-one"'));
    const plain = await runCli(['test', w, '--format', 'json']);
    const report = JSON.parse(plain.stdout) as { warnings: number; failed: number };
    expect(report.failed).toBe(0);
    expect(report.warnings).toBeGreaterThan(0);
    expect(plain.code).toBe(0);
    expect((await runCli(['test', w, '--max-warnings', '0'])).code).toBe(1);
    expect((await runCli(['test', w, '--max-warnings', String(report.warnings)])).code).toBe(0);
  });
});

describe('colour: node:util.styleText, NO_COLOR and FORCE_COLOR', () => {
  const bad = () => {
    const f = join(tmp, 'colour.yaml');
    writeFileSync(f, readFileSync(MAP, 'utf8').replace('operation: payments.sale', 'operation: payments.sael'));
    return f;
  };
  const run = (env: Record<string, string>, tty: boolean, extra: string[] = []) => {
    let stdout = '';
    return import('../../src/cli/main.js').then(async ({ main }) => {
      const { Readable } = await import('node:stream');
      await main(['validate', bad(), ...extra], { stdout: (t) => { stdout += t; }, stderr: () => {}, stdin: Readable.from([]), env, now: () => 0, stdoutIsTTY: tty });
      return stdout;
    });
  };

  it('on a terminal: coloured severity and code', async () => {
    const out = await run({}, true);
    expect(out).toMatch(ANSI);
    expect(out).toContain('\u001b[31m');
  });
  it('not into a pipe, nor with NO_COLOR, --no-color or FORCE_COLOR=0', async () => {
    expect(await run({}, false)).not.toMatch(ANSI);
    expect(await run({ NO_COLOR: '1' }, true)).not.toMatch(ANSI);
    expect(await run({}, true, ['--no-color'])).not.toMatch(ANSI);
    expect(await run({ FORCE_COLOR: '0' }, true)).not.toMatch(ANSI);
  });
  it('FORCE_COLOR turns it on into a pipe, and wins over NO_COLOR', async () => {
    expect(await run({ FORCE_COLOR: '1' }, false)).toMatch(ANSI);
    expect(await run({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toMatch(ANSI);
  });
});

describe('help, version, short flags', () => {
  it('datamap --help lists examples, exit codes and every credential variable of the packs', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const text of ['Examples:', 'Exit codes:', '  2  unusable input', 'REVOLV3_TOKEN', 'REVOLV3_CLIENT_ID', 'REVOLV3_CLIENT_SECRET', 'INVOISS_TOKEN', 'HTTPS_PROXY', 'NO_PROXY', 'NO_COLOR', 'FORCE_COLOR', '--env-file', 'completion']) {
      expect(r.stdout).toContain(text);
    }
  });

  it('every command\'s help has examples and exit codes', async () => {
    for (const cmd of ['validate', 'plan', 'run', 'test', 'explain', 'init', 'providers', 'sandbox', 'demo', 'completion']) {
      const r = await runCli([cmd, '--help']);
      expect(r.stdout, cmd).toMatch(/Examples:\n {2}.*datamap /);
      expect(r.stdout, cmd).toContain('Exit codes:');
    }
  });

  it('--version is the package.json version', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toBe(pkg.version);
    expect((await runCli(['-V'])).stdout.trim()).toBe(pkg.version);
  });

  it('a short flag means the same long option in every command', async () => {
    const meaning = new Map<string, Set<string>>();
    for (const cmd of ['', 'validate', 'plan', 'run', 'test', 'explain', 'init', 'providers', 'sandbox', 'demo', 'completion']) {
      const r = await runCli(cmd ? [cmd, '--help'] : ['--help']);
      for (const m of r.stdout.matchAll(/^\s+(-\w), (--[\w-]+)/gm)) {
        const set = meaning.get(m[1]!) ?? new Set<string>();
        set.add(m[2]!);
        meaning.set(m[1]!, set);
      }
    }
    expect(meaning.get('-i')).toEqual(new Set(['--input']));
    for (const [short, longs] of meaning) expect([...longs], short).toHaveLength(1);
  });
});

describe('datamap completion', () => {
  const script = async (shell: string) => {
    const r = await runCli(['completion', shell]);
    expect(r.code).toBe(0);
    const file = join(tmp, `completion.${shell}`);
    writeFileSync(file, r.stdout);
    return file;
  };

  it('bash: commands, options of a command, --format values, files', async () => {
    const file = await script('bash');
    const complete = (words: string[]) => execFileSync('bash', ['-c', `source "${file}"; COMP_WORDS=(${words.map((w) => `"${w}"`).join(' ')}); COMP_CWORD=${words.length - 1}; _datamap; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: root, encoding: 'utf8' }).trim().split('\n');
    expect(complete(['datamap', 'va'])).toEqual(['validate']);
    expect(complete(['datamap', 'validate', '--f'])).toEqual(['--format']);
    expect(complete(['datamap', 'validate', '--format', ''])).toEqual(['text', 'json', 'sarif', 'junit', 'github']);
    expect(complete(['datamap', 'init', '--provider', 'r'])).toEqual(['revolv3']);
    expect(complete(['datamap', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(complete(['datamap', 'plan', 'mappings/field-service-to-r'])).toContain('mappings/field-service-to-revolv3.yaml');
  });

  it('zsh: the script loads and registers _datamap for datamap', async () => {
    const file = await script('zsh');
    const r = spawnSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -D && source "${file}" && print -r -- $_comps[datamap]`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('_datamap');
  });

  it('fish: commands and --format values complete', async () => {
    const file = await script('fish');
    const complete = (line: string) => execFileSync('fish', ['--no-config', '-c', `source "${file}"; complete -C "${line}"`], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t')[0]);
    expect(complete('datamap va')).toEqual(['validate']);
    expect(complete('datamap validate --format ').sort()).toEqual(['github', 'json', 'junit', 'sarif', 'text']);
    expect(complete('datamap completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
  });
});

describe('--env-file', () => {
  let sandbox: Sandbox;
  let envFile: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'env-file' });
    envFile = join(tmp, 'sandbox.env');
    writeFileSync(envFile, `# sandbox credentials\nREVOLV3_TOKEN=${sandbox.credentials.REVOLV3_TOKEN}\n`);
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  const args = () => ['run', MAP, '-i', 'examples/field-service/invoices.json', '--base-url', sandbox.baseUrls.revolv3, '--json'];

  it('without it the credential is missing (exit 2); with it the run reaches the provider', async () => {
    const without = await runCli(args());
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('REVOLV3_TOKEN');
    const withFile = await runCli(['--env-file', envFile, ...args()]);
    expect(withFile.stdout).toMatch(/"outcome":"succeeded"/);
  });

  it('a variable already set wins over the file', async () => {
    const r = await runCli(['--env-file', envFile, ...args()], { env: { REVOLV3_TOKEN: 'wrong-token' } });
    expect(r.stdout).not.toMatch(/"outcome":"succeeded"/);
  });

  it('the real process loads it with process.loadEnvFile', async () => {
    const env = { ...process.env };
    delete env.REVOLV3_TOKEN;
    // asynchronous: the sandbox answering the child runs in this process
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bin/datamap.js'), '--env-file', envFile, ...args()], { cwd: root, encoding: 'utf8', env }).catch((e: { stdout: string }) => e);
    expect(stdout).toMatch(/"outcome":"succeeded"/);
  });
});

describe('a bad URL option never echoes credentials written into it', () => {
  it('file://user:pass@host is refused without printing the password', async () => {
    const r = await runCli(['plan', 'mappings/field-service-to-revolv3.yaml', '--input', 'examples/field-service/invoices.json', '--base-url', 'file://admin:s3cretPassw0rd@host/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-argument');
    expect(r.stderr).not.toContain('s3cretPassw0rd');
    expect(r.stderr).toContain('[redacted]@');
  });
});
