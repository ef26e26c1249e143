// Suite a: an uncontended lock + unlock called from JavaScript.
//
//   weft         const g = m.lock(); g.unlock();      (weft.Mutex, guard object, 2 wasm calls)
//   baseline     m.lock(); m.unlock();                (plain-JS futex mutex, 2 JS Atomics RMWs)
//   info         mutex_lock / mutex_unlock engine exports called directly (no guard object):
//                what the JS layer of weft.Mutex costs on top of the engine.
import { JsMutex } from "../baselines/js-mutex.mjs";
import { nsPerOp } from "../lib/measure.mjs";

export default {
  id: "a",
  title: "uncontended lock+unlock from JS",
  unit: "ns",
  goal: 15,
  needsWeft: true,

  async prepare({ weft, quick }) {
    const n = quick ? 1_000_000 : 3_000_000;
    const m = new weft.Mutex(0);
    const raw = m.clone().intoRaw(); // a reference kept alive for the raw-exports case
    const x = weft.__bench.exports();
    const js = JsMutex.create();
    return {
      cases: [
        {
          name: "weft Mutex  m.lock(); g.unlock()", role: "weft",
          run: () => nsPerOp(n, (k) => { for (let i = 0; i < k; i++) { const g = m.lock(); g.unlock(); } }),
        },
        {
          name: "plain-JS futex mutex (SAB)", role: "baseline",
          run: () => nsPerOp(n, (k) => { for (let i = 0; i < k; i++) { js.lock(); js.unlock(); } }),
        },
        {
          name: "(weft engine exports, no guard)", role: "info",
          run: () => nsPerOp(n, (k) => {
            const p = raw.ptr;
            for (let i = 0; i < k; i++) { x.mutex_lock(p, Infinity); x.mutex_unlock(p); }
          }),
        },
      ],
      cleanup() { weft.Mutex.fromRaw(raw).drop(); m.drop(); },
    };
  },
};
