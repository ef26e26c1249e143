// Suite o: structured objects from the main thread to one consumer thread, one message per object.
// Figure: ns per message over a batch (send of the first to receipt of the last, checksum back).
//
//   weft         tx.send(obj) on a bounded(1024, { of: "any" }) channel; a weft.spawn'ed consumer
//                loops rx.recv() and returns its checksum (msgpackr encode into the shared heap,
//                decode on the consumer)
//   baseline     worker.postMessage(obj) per object to a worker_thread that folds the same
//                checksum and posts it back on "end" (structured clone + one event per message)
//
// The objects are made before timing: { id, name, tags: [2 strings], pos: {x, y}, ok }. Each side's
// checksum (sum of id + tags.length + pos.y, i.e. 2 per object) is checked; a wrong one fails the
// suite. Goal (issue 3): weft's rate ≥ 3x postMessage's, i.e. weft/base ≤ 0.33.
import { startWorker, request } from "../lib/workers.mjs";

/** The consumer each weft repetition spawns (sent as source: self-contained). */
function consume(rx, n) {
  let sum = 0;
  for (let i = 0; i < n; i++) { const o = rx.recv(); sum += o.id + o.tags.length + o.pos.y; }
  return sum;
}

export default {
  id: "o",
  title: "structured objects, main thread -> 1 consumer thread",
  unit: "ns",
  needsWeft: true,

  async prepare({ weft, quick }) {
    const n = quick ? 5000 : 50000;
    const objs = Array.from({ length: n }, (_, i) => ({
      id: i, name: `item-${i}`, tags: ["alpha", "beta"], pos: { x: i * 0.5, y: -i }, ok: (i & 1) === 0,
    }));
    const expected = 2 * n;
    const sink = await startWorker(new URL("../fixtures/object-sink-worker.mjs", import.meta.url));
    const check = (who, sum) => {
      if (sum !== expected) throw new Error(`${who}: WRONG checksum ${sum}, expected ${expected}`);
    };
    const medians = {};
    const timed = async (key, body) => {
      const t0 = process.hrtime.bigint();
      await body();
      const ns = Number(process.hrtime.bigint() - t0) / n;
      (medians[key] ??= []).push(ns);
      return ns;
    };
    return {
      cases: [
        {
          name: "weft  tx.send(obj) on bounded(1024, any) -> rx.recv()", role: "weft",
          run: () => timed("weft", async () => {
            const [tx, rx] = weft.bounded(1024, { of: "any" });
            const h = weft.spawn([rx, n], consume);
            for (let i = 0; i < n; i++) tx.send(objs[i]);
            const sum = await h.join();
            tx.close(); rx.close();
            check("weft", sum);
          }),
        },
        {
          name: "postMessage(obj) per object to a worker_thread", role: "baseline",
          run: () => timed("post", async () => {
            for (let i = 0; i < n; i++) sink.postMessage(objs[i]);
            check("postMessage", await request(sink, "end"));
          }),
        },
      ],
      notes: () => {
        const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
        const ratio = med(medians.post) / med(medians.weft);
        return [`weft's message rate = ${ratio.toFixed(2)}x postMessage's (goal >= 3x: ${ratio >= 3 ? "met" : "NOT MET"})`];
      },
      async cleanup() { await sink.terminate(); },
    };
  },
};
