// Paired A/B of per-expression CPU (evaluatePlain of every expression of the shipped maps, with
// the bindings a plan gives them) between two builds in one process:
// `node bench/ab-expr.mjs <distA> <distB> [rounds]`. Prints, per map, the CPU per record of all
// its expressions for A and B and the median of paired ratios B/A, and the per-expression ratios.
import { loadBenchMap, recordsFor } from './records.mjs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [distA = '/tmp/s7-base/dist', distB = 'dist', R = '9'] = process.argv.slice(2);
const ROUNDS = Number(R);
const N = Number(process.env.AB_N ?? 2000);
const REPEAT = Number(process.env.AB_REPEAT ?? 5);
const NOW = Date.parse('2026-11-21T00:00:00Z');
const load = async (d) => {
  const u = (p) => pathToFileURL(resolve(d, p)).href;
  return {
    lib: await import(u('index.js')),
    resolveSettings: (await import(u('settings/resolve.js'))).resolveSettings,
    withSettings: (await import(u('settings/with-settings.js'))).withSettings,
    planRecordRaw: (await import(u('plan/plan-record.js'))).planRecordRaw,
    clockBindings: (await import(u('expressions/bindings.js'))).clockBindings,
  };
};
const A = await load(distA);
const B = await load(distB);
const maps = ['field-service-to-revolv3.yaml', 'field-service-to-invoiss.yaml', 'shopify-to-invoiss.yaml', 'shopify-to-revolv3.yaml'];
const mk = loadBenchMap;
const cpu = (f) => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const exprsOf = (map) => A.lib.mapExpressions(map).map((e) => e.expression);
const all = [];
for (const file of maps) {
  const records = recordsFor(file, N);
  // loadBenchMap answers the bound map (its settings in settingValues)
  const a = { map: mk(A, file) };
  a.settings = a.map.settingValues;
  const b = { map: mk(B, file) };
  const first = await A.planRecordRaw(a.map, records[0], { now: NOW });
  const steps = first.context.steps;
  // bindings per record as a plan builds them (key, lets)
  const inputs = [];
  for (const record of records) {
    const bind = { ...A.clockBindings(NOW), record, env: {}, steps, settings: a.settings };
    bind.key = String(await a.map.key.evaluate(record, bind));
    for (const l of a.map.lets) bind[l.name] = await l.expression.evaluateLet(record, bind);
    inputs.push([record, bind]);
  }
  const ea = exprsOf(a.map);
  const eb = exprsOf(b.map);
  const per = [];
  for (let k = 0; k < ea.length; k++) {
    if (ea[k].backend !== 'compiled') continue;
    const input = ea[k].source === a.map.steps.find((s) => s.output === ea[k])?.output?.source ? 'other' : 'record';
    const fa = () => { for (let r = 0; r < REPEAT; r++) for (const [rec, bind] of inputs) ea[k].evaluatePlain(input === 'other' ? {} : rec, bind); };
    const fb = () => { for (let r = 0; r < REPEAT; r++) for (const [rec, bind] of inputs) eb[k].evaluatePlain(input === 'other' ? {} : rec, bind); };
    fa(); fb();
    per.push({ source: ea[k].source, fa, fb, as: [], bs: [], ratios: [] });
  }
  for (let i = 0; i < ROUNDS; i++) {
    for (const p of per) {
      let ta, tb;
      if (i % 2 === 0) { ta = cpu(p.fa); tb = cpu(p.fb); } else { tb = cpu(p.fb); ta = cpu(p.fa); }
      p.as.push(ta / (N * REPEAT)); p.bs.push(tb / (N * REPEAT)); p.ratios.push(tb / ta);
    }
  }
  const sa = per.reduce((s, p) => s + median(p.as), 0);
  const sb = per.reduce((s, p) => s + median(p.bs), 0);
  console.log(`${file.padEnd(32)} ${per.length} expressions: A ${sa.toFixed(2)} µs  B ${sb.toFixed(2)} µs per record  (B/A ${(sb / sa).toFixed(3)})`);
  for (const p of per) {
    all.push(median(p.ratios));
    if (process.env.AB_VERBOSE) console.log(`   ${median(p.as).toFixed(3)} → ${median(p.bs).toFixed(3)} µs  ×${(1 / median(p.ratios)).toFixed(2)}  ${p.source.replace(/\s+/g, ' ').slice(0, 70)}`);
  }
}
const geo = Math.exp(all.reduce((s, r) => s + Math.log(r), 0) / all.length);
console.log(`per expression: median of paired B/A ${median(all).toFixed(3)} (speed-up ×${(1 / median(all)).toFixed(2)}), geometric mean B/A ${geo.toFixed(3)} (×${(1 / geo).toFixed(2)}), min ${Math.min(...all).toFixed(3)} max ${Math.max(...all).toFixed(3)}`);
