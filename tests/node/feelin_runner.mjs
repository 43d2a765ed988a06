// Evaluates a batch of FEEL cases with feelin in one process (differential tests, benchmark).
// stdin: JSON {"mode": "eval"|"bench", "cases": [...]}; stdout: JSON results.
import { evaluate, unaryTest } from 'feelin';

function ser(v) {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number': return Number.isFinite(v) ? { n: v } : null;
    case 'string':
    case 'boolean': return v;
    case 'function': return { fn: true };
  }
  if (Array.isArray(v)) return v.map(ser);
  const kind = v.constructor && v.constructor.name;
  if (kind === 'FeelDate' || kind === 'FeelTime' || kind === 'FeelDateTime' || kind === 'FeelDuration') {
    return { t: String(v) };
  }
  if (kind === 'FeelRange') {
    return { range: [v['start included'], ser(v.start), ser(v.end), v['end included']] };
  }
  if (kind === 'FeelFunction') return { fn: true };
  const out = {};
  for (const [k, x] of Object.entries(v)) out[k] = ser(x);
  return out;
}

function run(c) {
  try {
    if (c.kind === 'unary') {
      const r = unaryTest(c.expr, { ...(c.context || {}), '?': c.input });
      return { ok: ser(r && typeof r === 'object' && 'value' in r ? r.value : r) };
    }
    const r = evaluate(c.expr, c.context || {});
    return { ok: ser(r && typeof r === 'object' && 'value' in r && 'warnings' in r ? r.value : r) };
  } catch (err) {
    return { error: String(err && err.message || err).slice(0, 200) };
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

if (input.mode === 'bench') {
  const out = [];
  for (const c of input.cases) {
    for (let i = 0; i < Math.min(200, input.iterations); i++) evaluate(c.expr, c.context);
    const start = process.hrtime.bigint();
    for (let i = 0; i < input.iterations; i++) evaluate(c.expr, c.context);
    const ns = Number(process.hrtime.bigint() - start);
    out.push({ expr: c.expr, seconds: ns / 1e9, iterations: input.iterations });
  }
  process.stdout.write(JSON.stringify(out));
} else {
  process.stdout.write(JSON.stringify(input.cases.map(run)));
}
