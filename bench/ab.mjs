// Paired A/B of planRecords CPU per record (and per-expression evaluate CPU) between two builds
// in one process: `node bench/ab.mjs <distA> <distB> [rounds]`. Alternates A,B / B,A each round;
// prints medians and the median of paired ratios B/A per map.
import { loadBenchMap, recordsFor } from './records.mjs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [distA = '/tmp/s7-base/dist', distB = 'dist', R = '9'] = process.argv.slice(2);
const ROUNDS = Number(R);
const N = Number(process.env.AB_N ?? 4000);
const NOW = Date.parse('2026-11-21T00:00:00Z');
const clock = () => NOW;
const load = async (d) => {
  const u = (p) => pathToFileURL(resolve(d, p)).href;
  const lib = await import(u('index.js'));
  const settingsMod = await import(u('settings/resolve.js'));
  const withMod = await import(u('settings/with-settings.js'));
  return { lib, resolveSettings: settingsMod.resolveSettings, withSettings: withMod.withSettings };
};
const A = await load(distA);
const B = await load(distB);
const maps = ['field-service-to-revolv3.yaml', 'field-service-to-invoiss.yaml', 'shopify-to-invoiss.yaml', 'shopify-to-revolv3.yaml'];
const mk = loadBenchMap;
const cpu = async (f) => {
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
for (const file of maps) {
  const records = recordsFor(file, N);
  const items = records.map((value, index) => ({ index, line: 0, value }));
  const run = (M, map) => async () => {
    for await (const p of M.lib.planRecords(map, items, { clock })) if (!p.ok) throw new Error(JSON.stringify(p.diagnostics));
  };
  const fa = run(A, mk(A, file));
  const fb = run(B, mk(B, file));
  await fa(); await fb(); await fa(); await fb();
  const as = [], bs = [], ratios = [];
  for (let i = 0; i < ROUNDS; i++) {
    let a, b;
    if (i % 2 === 0) { a = await cpu(fa); b = await cpu(fb); } else { b = await cpu(fb); a = await cpu(fa); }
    as.push(a / N); bs.push(b / N); ratios.push(b / a);
  }
  console.log(`${file.padEnd(32)} A ${median(as).toFixed(1)} µs  B ${median(bs).toFixed(1)} µs  B/A median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`);
}
