// Suite g: 2 producers + 2 consumers on one bounded(1024) channel of f64, ns per message (wall
// time from the first thread's start to the last one's end, divided by all messages).
//
//   weft       4 weft.spawn threads: tx.send / rx.recv per message, consumers until disconnection
//   baseline   plain-JS bounded buffer under a futex mutex (baselines/js-ring.mjs JsLockRing) in
//              4 worker_threads; each producer ends with a sentinel, each consumer stops at one
//   info       weft with sendMany / recvMany (batches of 64)
// postMessage has no MPMC form (a port has one receiver), so it is not run here; see suite f
// for its per-message cost. Consumers return their sums; a wrong total fails the suite.
import { startWorker, request } from "../lib/workers.mjs";
import { JsLockRing } from "../baselines/js-ring.mjs";

const CAP = 1024, BATCH = 64;

function producer(tx, start, first, n) {
  start.wait();
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  for (let i = 0; i < n; i++) tx.send(first + i);
  return [t0, Number(process.hrtime.bigint()) / 1e6, 0];
}
function consumer(rx, start) {
  start.wait();
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  let s = 0;
  for (;;) {
    let v;
    try { v = rx.recv(); } catch (e) { if (e instanceof globalThis.weft.RecvError) break; throw e; }
    s += v;
  }
  return [t0, Number(process.hrtime.bigint()) / 1e6, s];
}
function producerMany(tx, start, first, n, batch) {
  const buf = new Float64Array(batch);
  start.wait();
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  for (let i = 0; i < n; i += batch) {
    const k = Math.min(batch, n - i);
    for (let j = 0; j < k; j++) buf[j] = first + i + j;
    tx.sendMany(k === batch ? buf : buf.subarray(0, k));
  }
  return [t0, Number(process.hrtime.bigint()) / 1e6, 0];
}
function consumerMany(rx, start, first, n, batch) {
  const into = new Float64Array(batch);
  start.wait();
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  let s = 0;
  for (;;) {
    let m;
    try { m = rx.recvMany(into); } catch (e) { if (e instanceof globalThis.weft.RecvError) break; throw e; }
    for (let j = 0; j < m; j++) s += into[j];
  }
  return [t0, Number(process.hrtime.bigint()) / 1e6, s];
}

function nsPerMsg(spans, total, want, what) {
  const sum = spans.reduce((s, x) => s + x[2], 0);
  if (sum !== want) throw new Error(`${what}: WRONG RESULT, consumers summed ${sum}, expected ${want}`);
  return ((Math.max(...spans.map((s) => s[1])) - Math.min(...spans.map((s) => s[0]))) * 1e6) / total;
}

export default {
  id: "g",
  title: "channel MPMC 2+2 bounded(1024) f64, ns per message",
  unit: "ns",
  needsWeft: true,

  async prepare({ weft, quick }) {
    const n = quick ? 100_000 : 500_000; // per producer
    const want = 2 * ((n * (n - 1)) / 2) + n * n; // producer p sends p*n + i, i < n
    const start = new weft.Barrier(4);

    async function weftRun(p, c) {
      const [tx, rx] = weft.bounded(CAP);
      const hs = [
        weft.spawn([tx, start, 0, n, BATCH], p), weft.spawn([tx, start, n, n, BATCH], p),
        weft.spawn([rx, start, 0, n, BATCH], c), weft.spawn([rx, start, 0, n, BATCH], c),
      ];
      tx.close(); rx.close(); // the threads hold their own handles: the producers' end disconnects
      return nsPerMsg(await Promise.all(hs.map((h) => h.join())), 2 * n, want, "weft MPMC");
    }

    const url = new URL("../fixtures/js-ring-worker.mjs", import.meta.url);
    const workers = [];
    for (let i = 0; i < 4; i++) workers.push(await startWorker(url));
    async function lockRun() {
      const sab = new SharedArrayBuffer(JsLockRing.bytes(CAP));
      const st = new SharedArrayBuffer(4);
      const common = { sab, start: st, cap: CAP, kind: "lock", n, threads: 4, sentinel: true };
      const spans = await Promise.all([
        request(workers[0], { ...common, role: "push", first: 0 }), request(workers[1], { ...common, role: "push", first: n }),
        request(workers[2], { ...common, role: "pop" }), request(workers[3], { ...common, role: "pop" }),
      ]);
      return nsPerMsg(spans, 2 * n, want, "JS lock ring");
    }

    return {
      cases: [
        { name: "weft send / recv per message, 4 spawned threads", role: "weft", run: () => weftRun(producer, consumer) },
        { name: "plain-JS SAB ring under a futex mutex, 4 worker_threads", role: "baseline", run: lockRun },
        { name: "(weft sendMany / recvMany x64)", role: "info", run: () => weftRun(producerMany, consumerMany) },
      ],
      notes: () => [`weft pool size after the suite: ${weft.stats().workers} workers (4 threads at once; the machine's cores: see the header)`],
      async cleanup() { start.drop(); await Promise.all(workers.map((w) => w.terminate())); },
    };
  },
};
