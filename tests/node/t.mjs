import { evaluate, unaryTest } from 'feelin';
const exprs = process.argv.slice(2);
for (const e of exprs) { try { const r = evaluate(e, {x: 5, s: "abc", xs:[1,2,3], d: {a: 1}}); console.log(e, '=>', JSON.stringify(r.value ?? r), typeof (r.value ?? r), r.warnings ? JSON.stringify(r.warnings.map(w=>w.message)) : ''); } catch (err) { console.log(e, 'THROWS', err.message); } }
