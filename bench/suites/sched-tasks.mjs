// Suite t: tiny tasks through the scheduler (issue 4: "tiny scheduler tasks >= 30x piscina's
// task rate"). Figure: ns per task over a batch (wall / tasks), lower is better.
//
//   weft          wasm tasks: fib(N) with a join at every call on a 2-worker pool; every join
//                 publishes one task (its b) that is popped back or stolen: wall / joins
//   weft          JS tasks: inside a pool job, a scope spawning M trivial JS functions (each
//                 job record carries the function's source, as spawn's do): wall / M
//   baseline      piscina (2 threads): M trivial tasks submitted at once, awaited together
// Results are checked (fib(N); M completions; piscina's M results).
import { Piscina } from "piscina";

function fibJs(n) { return n < 2 ? n : fibJs(n - 1) + fibJs(n - 2); }

export default {
  id: "t",
  title: "tiny tasks through the scheduler",
  unit: "ns",
  needsWeft: true,

  async prepare({ weft, quick }) {
    const N = quick ? 24 : 28;
    const M = quick ? 2000 : 20000;
    const joins = fibJs(N + 1) - 1;
    const pool = weft.ThreadPool.create({ threads: 2 });
    const piscina = new Piscina({
      filename: new URL("../fixtures/piscina-task.mjs", import.meta.url).href, minThreads: 2, maxThreads: 2,
    });
    const medians = {};
    const timed = async (key, count, body) => {
      const t = performance.now();
      await body();
      const ns = ((performance.now() - t) * 1e6) / count;
      (medians[key] ??= []).push(ns);
      return ns;
    };
    const W = "weft wasm tasks (a join each), 2 workers";
    const J = "weft JS tasks: scope.spawn(() => 1) in a pool job";
    return {
      cases: [
        {
          name: W, role: "weft",
          run: () => timed("wasm", joins, async () => {
            const r = await pool.install([N], (k) => globalThis.weft.__bench.exports().sched_fib(k));
            if (r !== fibJs(N)) throw new Error(`WRONG RESULT (wasm tasks): ${r}`);
          }),
        },
        {
          name: J, role: "weft",
          run: () => timed("js", M, async () => {
            const done = await pool.install([M], (m) => {
              const p = globalThis.weft.ThreadPool.current();
              let spawned = 0;
              p.scope((s) => { for (let i = 0; i < m; i++) { s.spawn(() => 1); spawned++; } });
              return spawned;
            });
            if (done !== M) throw new Error(`WRONG RESULT (JS tasks): ${done} != ${M}`);
          }),
        },
        {
          name: `piscina 2 threads, ${M} trivial tasks at once`, role: "baseline", vs: J,
          run: () => timed("piscina", M, async () => {
            const rs = await Promise.all(Array.from({ length: M }, () => piscina.run(null)));
            if (rs.length !== M || rs.some((v) => v !== 1)) throw new Error("WRONG RESULT (piscina)");
          }),
        },
      ],
      notes: () => {
        const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
        const rate = (k) => 1e9 / med(medians[k]);
        const fmt = (r) => `${(r / 1e6).toFixed(2)} M tasks/s`;
        const wasmX = rate("wasm") / rate("piscina"), jsX = rate("js") / rate("piscina");
        return [
          `task rates: weft wasm ${fmt(rate("wasm"))}, weft JS ${fmt(rate("js"))}, piscina ${fmt(rate("piscina"))}`,
          `vs piscina: wasm tasks ${wasmX.toFixed(1)}x, JS tasks ${jsX.toFixed(1)}x (goal >= 30x: wasm ${wasmX >= 30 ? "met" : "NOT MET"}, JS ${jsX >= 30 ? "met" : "NOT MET"})`,
        ];
      },
      async cleanup() { await pool.shutdown(); await piscina.destroy(); },
    };
  },
};
