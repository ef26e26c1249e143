// Suite c: two threads hammering one lock: each does `iters` lock / increment / unlock.
// Figure: wall time from the first thread's start to the last thread's end, divided by the
// total number of operations (threads × iters), in ns per operation (throughput, both threads).
//
//   weft         2 × weft.spawn(...) on warm pool workers; one weft.Mutex<number> as the counter
//   baseline     2 worker_threads, the plain-JS futex mutex over a SAB (fixtures/js-mutex-worker.mjs)
//   info         the same loops on ONE thread: the uncontended floor of each side, to read the
//                2-thread figures against (a 2-thread figure near it means the threads barely
//                overlapped: an unfair lock lets one thread run its whole loop while the other sleeps)
//
// Both sides meet at a start line (spinning on a shared counter) and time themselves with
// process.hrtime (one monotonic clock for the whole process), so thread start-up and join
// latency stay out. The final counter is checked: a lost update fails the suite.
import { startWorker, request } from "../lib/workers.mjs";

/** The task each weft thread runs (sent as source: self-contained, API via globalThis.weft). */
function contend(counter, start, threads, iters) {
  { const g = start.lock(); g.value += 1; g.unlock(); }
  for (;;) { const g = start.lock(); const v = g.value; g.unlock(); if (v >= threads) break; }
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  for (let i = 0; i < iters; i++) { const g = counter.lock(); g.value += 1; g.unlock(); }
  const t1 = Number(process.hrtime.bigint()) / 1e6;
  return [t0, t1];
}

/** ns per operation from each thread's [t0, t1] (ms). */
function nsPerOpOf(spans, ops) {
  const t0 = Math.min(...spans.map((s) => s[0]));
  const t1 = Math.max(...spans.map((s) => s[1]));
  return ((t1 - t0) * 1e6) / ops;
}

export default {
  id: "c",
  title: "2-thread contended lock/increment/unlock",
  unit: "ns",
  goal: 25,
  needsWeft: true,

  async prepare({ weft, quick }) {
    const iters = quick ? 200_000 : 1_000_000;
    const url = new URL("../fixtures/js-mutex-worker.mjs", import.meta.url);
    const workers = [await startWorker(url), await startWorker(url)];

    async function weftRun(threads) {
      const counter = new weft.Mutex(0);
      const start = new weft.Mutex(0);
      const hs = Array.from({ length: threads }, () => weft.spawn([counter.clone(), start.clone(), threads, iters], contend));
      const spans = await Promise.all(hs.map((h) => h.join()));
      const total = counter.intoInner();
      start.drop();
      if (total !== threads * iters) throw new Error(`weft contended counter: ${total}, expected ${threads * iters}`);
      return nsPerOpOf(spans, threads * iters);
    }

    async function jsRun(threads) {
      const sab = new SharedArrayBuffer(16);
      const spans = await Promise.all(workers.slice(0, threads).map((w) => request(w, { sab, iters, threads })));
      const total = new Int32Array(sab)[1];
      if (total !== threads * iters) throw new Error(`JS contended counter: ${total}, expected ${threads * iters}`);
      return nsPerOpOf(spans, threads * iters);
    }

    return {
      cases: [
        { name: "weft Mutex, 2 spawned threads", role: "weft", run: () => weftRun(2) },
        { name: "plain-JS futex mutex, 2 worker_threads", role: "baseline", run: () => jsRun(2) },
        { name: "(weft, same loop on 1 thread)", role: "info", run: () => weftRun(1) },
        { name: "(plain JS, same loop on 1 thread)", role: "info", run: () => jsRun(1) },
      ],
      async cleanup() { await Promise.all(workers.map((w) => w.terminate())); },
    };
  },
};
