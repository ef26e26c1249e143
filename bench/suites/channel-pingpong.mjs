// Suite h: ping-pong latency, µs per round trip (one message each way).
//
//   weft       main thread <-> one weft.spawn thread over two bounded(1) channels:
//              main ping.send(i); pong.recv()   thread pong.send(ping.recv() + 1)
//   baseline   raw worker_thread postMessage round trip (fixtures/echo-worker.mjs, awaited)
//   baseline   plain Atomics.wait / notify ping-pong on one Int32 (fixtures/atomics-pingpong-worker.mjs)
//   info       weft between two spawned threads (main only waits for the result)
// Every reply is checked (i + 1); a wrong one fails the suite.
import { startWorker, request } from "../lib/workers.mjs";

function echo(ping, pong, n) {
  for (let i = 0; i < n; i++) pong.send(ping.recv() + 1);
}
function pinger(ping, pong, n) {
  const t0 = process.hrtime.bigint();
  let bad = 0;
  for (let i = 0; i < n; i++) { ping.send(i); if (pong.recv() !== i + 1) bad++; }
  return [Number(process.hrtime.bigint() - t0) / 1e3 / n, bad];
}

export default {
  id: "h",
  title: "channel ping-pong round trip",
  unit: "µs",
  goal: 2,
  needsWeft: true,

  async prepare({ weft, quick }) {
    const n = quick ? 5_000 : 20_000;
    const nPost = quick ? 1_000 : 4_000;
    const [pingTx, pingRx] = weft.bounded(1);
    const [pongTx, pongRx] = weft.bounded(1);

    async function weftMain() {
      const h = weft.spawn([pingRx, pongTx, n], echo);
      const [us, bad] = pinger(pingTx, pongRx, n);
      await h.join();
      if (bad !== 0) throw new Error(`weft ping-pong: WRONG RESULT, ${bad} bad replies`);
      return us;
    }
    async function weftThreads() {
      const h = weft.spawn([pingRx, pongTx, n], echo);
      const [us, bad] = await weft.spawn([pingTx, pongRx, n], pinger).join();
      await h.join();
      if (bad !== 0) throw new Error(`weft ping-pong (threads): WRONG RESULT, ${bad} bad replies`);
      return us;
    }

    const echoWorker = await startWorker(new URL("../fixtures/echo-worker.mjs", import.meta.url));
    async function postRun() {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < nPost; i++) if (await request(echoWorker, i) !== 1) throw new Error("postMessage: WRONG RESULT");
      return Number(process.hrtime.bigint() - t0) / 1e3 / nPost;
    }

    const atomicsWorker = await startWorker(new URL("../fixtures/atomics-pingpong-worker.mjs", import.meta.url));
    async function atomicsRun() {
      const sab = new SharedArrayBuffer(4);
      const a = new Int32Array(sab);
      const done = request(atomicsWorker, { sab, n });
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        Atomics.store(a, 0, 2 * i + 1);
        Atomics.notify(a, 0, 1);
        while (Atomics.load(a, 0) !== 2 * i + 2) Atomics.wait(a, 0, 2 * i + 1); // woken by the worker's notify
      }
      const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
      if (await done !== n) throw new Error("Atomics ping-pong: WRONG RESULT");
      return us;
    }

    return {
      cases: [
        { name: "weft bounded(1) x2, main <-> spawned thread", role: "weft", run: weftMain },
        { name: "raw worker_thread postMessage round trip", role: "baseline", run: postRun },
        { name: "plain Atomics.wait / notify ping-pong", role: "baseline", run: atomicsRun },
        { name: "(weft bounded(1) x2, spawned thread <-> spawned thread)", role: "info", run: weftThreads },
      ],
      async cleanup() {
        for (const h of [pingTx, pingRx, pongTx, pongRx]) h.close();
        await Promise.all([echoWorker.terminate(), atomicsWorker.terminate()]);
      },
    };
  },
};
