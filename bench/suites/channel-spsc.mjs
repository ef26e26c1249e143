// Suite f: one producer, one consumer, bounded(1024) of f64, throughput in ns per message
// (wall time from the first side's start to the last side's end, divided by the messages).
//
//   weft  (a)  inside wasm: bench kernel (bench/kernels/channel.ts, assembly/lib Sender/Receiver)
//              producer and consumer in two worker_threads over one raw engine memory
//   weft  (b)  from JS, one message per call: tx.send(i) / rx.recv() in two weft.spawn threads
//   weft  (c)  from JS, batched: tx.sendMany / rx.recvMany of 256 in two weft.spawn threads
//   baseline   plain-JS SharedArrayBuffer SPSC ring (baselines/js-ring.mjs), per message and
//              batched (typed-array copies), in two worker_threads; postMessage of one number
//              per message to a worker that sums them (fixtures/sum-worker.mjs)
//
// Both sides meet at a start line and time themselves on process.hrtime; every consumer returns
// the sum of what it received (and the kernel checks the order): a wrong sum fails the suite.
import { startWorker, request } from "../lib/workers.mjs";
import { loadBenchKernel, rawEngine } from "../lib/kernel.mjs";

const CAP = 1024, BATCH = 256;

function producer(tx, start, n) {
  start.wait();
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  for (let i = 0; i < n; i++) tx.send(i);
  return [t0, Number(process.hrtime.bigint()) / 1e6, 0];
}
function consumer(rx, start, n) {
  start.wait();
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  let s = 0;
  for (let i = 0; i < n; i++) s += rx.recv();
  return [t0, Number(process.hrtime.bigint()) / 1e6, s];
}
function producerMany(tx, start, n, batch) {
  const buf = new Float64Array(batch);
  start.wait();
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  for (let i = 0; i < n; i += batch) {
    const k = Math.min(batch, n - i);
    for (let j = 0; j < k; j++) buf[j] = i + j;
    tx.sendMany(k === batch ? buf : buf.subarray(0, k));
  }
  return [t0, Number(process.hrtime.bigint()) / 1e6, 0];
}
function consumerMany(rx, start, n, batch) {
  const into = new Float64Array(batch);
  start.wait();
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  let s = 0;
  for (let got = 0; got < n;) {
    const m = rx.recvMany(got + batch <= n ? into : into.subarray(0, n - got));
    for (let j = 0; j < m; j++) s += into[j];
    got += m;
  }
  return [t0, Number(process.hrtime.bigint()) / 1e6, s];
}

/** ns per message from two [t0, t1, sum] spans; throws unless the consumer's sum is `want`. */
export function nsPerMsg(spans, n, want, what) {
  const sum = spans.reduce((s, x) => s + x[2], 0);
  if (sum !== want) throw new Error(`${what}: WRONG RESULT, consumers summed ${sum}, expected ${want}`);
  const t0 = Math.min(...spans.map((s) => s[0]));
  const t1 = Math.max(...spans.map((s) => s[1]));
  return ((t1 - t0) * 1e6) / n;
}

export default {
  id: "f",
  title: "channel SPSC bounded(1024) f64, ns per message",
  unit: "ns",
  needsWeft: true,

  async prepare({ weft, quick }) {
    const n = quick ? 200_000 : 1_000_000;
    const nPost = quick ? 20_000 : 100_000;
    const want = (n * (n - 1)) / 2;
    const [tx, rx] = weft.bounded(CAP);
    const start = new weft.Barrier(2);

    // (a) kernel pair over a raw engine of its own.
    const raw = rawEngine();
    const kernelModule = loadBenchKernel("channel");
    const kUrl = new URL("../fixtures/kernel-channel-worker.mjs", import.meta.url);
    const kWorkers = [];
    for (let i = 0; i < 2; i++) {
      kWorkers.push(await startWorker(kUrl, { workerData: { engineModule: raw.module, kernelModule, memory: raw.memory, agent: raw.x.agent_claim() } }));
    }
    async function kernelRun(many) {
      const { x, constant } = raw;
      const c = x.chan_new(constant("FLAVOR_ARRAY"), constant("CHAN_KIND_F64"), CAP);
      const s = x.chan_sender_new(c), r = x.chan_receiver_new(c);
      x.obj_release(c);
      const ctl = new SharedArrayBuffer(64);
      const spans = await Promise.all([
        request(kWorkers[0], { mode: many ? "produce-many" : "produce", end: s, n, batch: BATCH, ctl }),
        request(kWorkers[1], { mode: many ? "consume-many" : "consume", end: r, n, batch: BATCH, ctl }),
      ]);
      x.chan_end_release(s); x.chan_end_release(r);
      if (spans[0][2] !== (many ? n : 0)) throw new Error(`kernel producer: WRONG RESULT ${spans[0][2]}`);
      spans[0][2] = 0;
      return nsPerMsg(spans, n, want, "kernel SPSC");
    }

    async function weftRun(p, c) {
      const hs = [weft.spawn([tx, start, n, BATCH], p), weft.spawn([rx, start, n, BATCH], c)];
      return nsPerMsg(await Promise.all(hs.map((h) => h.join())), n, want, "weft SPSC");
    }

    const rUrl = new URL("../fixtures/js-ring-worker.mjs", import.meta.url);
    const rWorkers = [await startWorker(rUrl), await startWorker(rUrl)];
    const { JsSpscRing } = await import("../baselines/js-ring.mjs");
    async function ringRun(many) {
      const sab = new SharedArrayBuffer(JsSpscRing.bytes(CAP));
      const st = new SharedArrayBuffer(4);
      const common = { sab, start: st, cap: CAP, kind: "spsc", n, batch: BATCH, threads: 2, first: 0 };
      const spans = await Promise.all([
        request(rWorkers[0], { ...common, role: many ? "push-many" : "push" }),
        request(rWorkers[1], { ...common, role: many ? "pop-many" : "pop" }),
      ]);
      return nsPerMsg(spans, n, want, "JS SPSC ring");
    }

    const sumWorker = await startWorker(new URL("../fixtures/sum-worker.mjs", import.meta.url));
    async function postRun() {
      sumWorker.postMessage({ n: nPost });
      const t0 = process.hrtime.bigint();
      const done = new Promise((resolve) => sumWorker.once("message", resolve));
      for (let i = 0; i < nPost; i++) sumWorker.postMessage(i);
      const sum = await done;
      const ns = Number(process.hrtime.bigint() - t0) / nPost;
      if (sum !== (nPost * (nPost - 1)) / 2) throw new Error(`postMessage: WRONG RESULT ${sum}`);
      return ns;
    }

    const A = "weft (a) kernel -> kernel, in wasm", B = "weft (b) JS send / recv per message", C = "weft (c) JS sendMany / recvMany x256";
    return {
      cases: [
        { name: A, role: "weft", goal: 25, run: () => kernelRun(false) },
        { name: B, role: "weft", goal: 100, run: () => weftRun(producer, consumer) },
        { name: C, role: "weft", goal: 25, run: () => weftRun(producerMany, consumerMany) },
        { name: "plain-JS SAB SPSC ring, per message", role: "baseline", vs: B, run: () => ringRun(false) },
        { name: "plain-JS SAB SPSC ring, batched x256", role: "baseline", vs: C, run: () => ringRun(true) },
        { name: `postMessage, one number per message (${nPost / 1000}k)`, role: "baseline", vs: B, run: postRun },
        { name: "(weft kernel sendMany / recvMany x256, in wasm)", role: "info", run: () => kernelRun(true) },
      ],
      notes: () => [
        "M msg/s = 1000 / (ns per message): goals (a) >= 40 M/s (25 ns), (b) >= 10 M/s (100 ns), (c) >= 40 M/s (25 ns)",
        "native crossbeam-channel bounded(1024) SPSC: about 50 M msg/s (20 ns) on the reference machine (not run here)",
      ],
      async cleanup() {
        tx.close(); rx.close(); start.drop();
        await Promise.all([...kWorkers, ...rWorkers, sumWorker].map((w) => w.terminate()));
      },
    };
  },
};
