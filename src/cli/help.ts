import type { Command } from 'commander';
import { getProvider, listProviders } from '../providers/registry.js';

/**
 * Help text after the options: examples per command, the exit codes, and the environment
 * variables the CLI reads (provider credentials from the packs, proxy, colour).
 */

const EXAMPLES: Record<string, string[]> = {
  validate: [
    'datamap validate mappings/                          every Data Map and test file in a folder',
    'datamap validate mappings/shop.yaml --max-warnings 0   fail on warnings too',
    'datamap validate mappings/ --format sarif > datamap.sarif   for code scanning',
    'cat map.yaml | datamap validate -                   a Data Map on standard input',
  ],
  plan: [
    'datamap plan mappings/shop.yaml -i orders.json      the requests each record would send, validated',
    'datamap plan mappings/shop.yaml -i - --json < orders.ndjson',
    'datamap plan mappings/quickbooks-csv-to-revolv3.yaml -i examples/quickbooks-csv/invoices.csv --summary   CSV; counts and the invalid rows only',
  ],
  run: [
    'datamap run mappings/shop.yaml -i orders.ndjson --base-url http://127.0.0.1:4010/revolv3   against the sandbox',
    'datamap --env-file .env run mappings/shop.yaml -i orders.ndjson --env production -o results.ndjson',
  ],
  test: [
    'datamap test                                       every <map>.test.yaml under mappings/',
    'datamap test mappings/shop.test.yaml -t refund     only cases whose name contains "refund"',
    'datamap test --format junit > datamap-junit.xml     a JUnit report for CI',
  ],
  explain: ['datamap explain mappings/shop.yaml -i orders.json -r 2   where each field of the 2nd record comes from'],
  init: ['datamap init -p revolv3 -s my-record.json -o mappings/my-to-revolv3.yaml'],
  providers: ['datamap providers', 'datamap providers revolv3 payments.sale'],
  sandbox: ['datamap sandbox --port 4010', 'datamap sandbox --rate-limit 0                      no 429s (the default is 20 requests/s per credential)'],
  studio: [
    'datamap studio mappings/field-service-to-revolv3.yaml -i examples/field-service/invoices.json   edit, plan, test and try it in a browser',
    'datamap studio mappings/new-to-invoiss.yaml --provider invoiss --open   a new map, created on Save',
  ],
  demo: ['datamap demo'],
  completion: [
    'source <(datamap completion bash)                  bash (add it to ~/.bashrc)',
    'source <(datamap completion zsh)                   zsh (add it to ~/.zshrc)',
    'datamap completion fish | source                   fish',
  ],
};

const EXIT_CODES = [
  'Exit codes:',
  '  0  success',
  '  1  a record failed, was declined or is unknown; a test case failed; more warnings than --max-warnings',
  '  2  unusable input: an invalid Data Map or test file, a bad option value, a missing file or credential',
];

function environment(): string[] {
  const rows: Array<[string, string]> = [];
  for (const name of listProviders()) {
    const pack = getProvider(name);
    if (!pack) continue;
    for (const cred of Object.values(pack.credentials)) rows.push([cred.env, `${pack.title}: ${cred.description ?? 'credential'}`]);
  }
  rows.push(
    ['HTTPS_PROXY, HTTP_PROXY', 'proxy for provider calls (https through a CONNECT tunnel)'],
    ['NO_PROXY', 'hosts that bypass the proxy (comma-separated; * for all)'],
    ['NO_COLOR', 'no colour (also --no-color)'],
    ['FORCE_COLOR', 'colour even when the output is not a terminal (0 turns it off)'],
  );
  const w = Math.max(...rows.map(([k]) => k.length));
  return ['Environment (also read from --env-file):', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
}

/** Adds examples, exit codes and environment variables to the help of the program and each command. */
export function addHelp(program: Command): void {
  program.addHelpText('after', () => [
    '',
    'Examples:',
    '  datamap validate mappings/',
    '  datamap plan mappings/field-service-to-revolv3.yaml -i examples/field-service/invoices.json',
    '  datamap test',
    '  datamap demo                                       every shipped map against the built-in sandbox',
    '',
    ...EXIT_CODES,
    '',
    ...environment(),
    '',
    'Run datamap <command> --help for a command\'s options and examples.',
  ].join('\n') + '\n');
  for (const cmd of program.commands) {
    const examples = EXAMPLES[cmd.name()];
    if (!examples) continue;
    cmd.addHelpText('after', () => ['', 'Examples:', ...examples.map((e) => `  ${e}`), '', ...EXIT_CODES, ...(['run', 'plan', 'test', 'explain'].includes(cmd.name()) ? ['', ...environment()] : [])].join('\n') + '\n');
  }
}
