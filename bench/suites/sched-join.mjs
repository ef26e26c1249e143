// Suite j: fib(N) with a join at every call (issue 4's join-overhead benchmark). Every figure is
// the wall time of one fib(N) divided by the number of joins it makes (fib(N + 1) - 1 calls with
// n >= 2), in ns, so that all rows compare per unit of work.
//
//   weft (goal)   the join's own cost: (fib(N) with joins on a 1-worker pool - sequential wasm
//                 fib(N)) / joins, both timed back to back in one repetition
//   weft          fib(N) with joins on a 2-worker pool, wall / joins (the parallel run)
//   baseline      piscina (2 threads): fib(N) cut into the subtrees at depth 6 of its call tree
//                 (up to 64 chunks), each a task computing plain-JS fib; wall / joins
//   info          sequential wasm fib(N) (no joins), wall / joins: the work itself
// The kernel is the engine's built-in K_FIB (assembly/sched/kernels.ts), reached through the
// internal `weft.__bench` hook inside a pool job. Results are checked against fib(N).
import { Piscina } from "piscina";

const N = 32;
const DEPTH = 6;

function fibJs(n) { return n < 2 ? n : fibJs(n - 1) + fibJs(n - 2); }
/** The leaves of fib(n)'s call tree cut at `depth`: fib(n) is the sum of their fibs. */
function chunks(n, depth, out = []) {
  if (depth === 0 || n < 2) out.push(n); else { chunks(n - 1, depth - 1, out); chunks(n - 2, depth - 1, out); }
  return out;
}

export default {
  id: "j",
  title: `fib(${N}) with a join at every call`,
  unit: "ns",
  needsWeft: true,

  async prepare({ weft, quick }) {
    const n = quick ? N - 4 : N;
    const expected = fibJs(n);
    const joins = fibJs(n + 1) - 1;
    const x = weft.__bench.exports();
    const one = weft.ThreadPool.create({ threads: 1 });
    const two = weft.ThreadPool.create({ threads: 2 });
    const piscina = new Piscina({
      filename: new URL("../fixtures/piscina-fib.mjs", import.meta.url).href, minThreads: 2, maxThreads: 2,
    });
    const parts = chunks(n, DEPTH);
    const check = (r, what) => { if (r !== expected) throw new Error(`WRONG RESULT (${what}): ${r} != ${expected}`); };
    const fibIn = async (pool) => pool.install([n], (k) => globalThis.weft.__bench.exports().sched_fib(k));
    const perJoin = (ms) => (ms * 1e6) / joins;
    const W1 = "weft join overhead: (1-worker pool - sequential) / joins";
    const W2 = "weft 2-worker pool, wall / joins";
    return {
      cases: [
        {
          name: W1, role: "weft", goal: 20,
          run: async () => {
            let t = performance.now();
            check(x.sched_fib_seq(n), "sequential");
            const seq = performance.now() - t;
            t = performance.now();
            check(await fibIn(one), "1 worker");
            return perJoin(performance.now() - t - seq);
          },
        },
        {
          name: W2, role: "weft",
          run: async () => { const t = performance.now(); check(await fibIn(two), "2 workers"); return perJoin(performance.now() - t); },
        },
        {
          name: `piscina 2 threads, ${parts.length} chunks of plain-JS fib`, role: "baseline", vs: W2,
          run: async () => {
            const t = performance.now();
            const rs = await Promise.all(parts.map((p) => piscina.run(p)));
            check(rs.reduce((s, v) => s + v, 0), "piscina");
            return perJoin(performance.now() - t);
          },
        },
        {
          name: "(sequential wasm fib, no joins)", role: "info",
          run: async () => { const t = performance.now(); check(x.sched_fib_seq(n), "sequential"); return perJoin(performance.now() - t); },
        },
      ],
      notes: () => [
        `fib(${n}) makes ${joins} joins; rayon's join costs about 6 ns on the reference machine (issue 4)`,
      ],
      async cleanup() { await one.shutdown(); await two.shutdown(); await piscina.destroy(); },
    };
  },
};
