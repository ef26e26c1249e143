// Suite b: an uncontended lock + unlock inside wasm (no JS on the path).
//
//   weft         engine export bench_mutex(ptr, n): n × (mutexLock + mutexUnlock) of
//                assembly/sync/mutex.ts, inlined, on a real weft.Mutex
//   baseline     the bare futex mutex in hand-written wasm (baselines/wasm-mutex.mjs): the floor
import { wasmMutexBaseline } from "../baselines/wasm-mutex.mjs";
import { nsPerOp } from "../lib/measure.mjs";

export default {
  id: "b",
  title: "uncontended lock+unlock inside wasm",
  unit: "ns",
  goal: 7,
  needsWeft: true,

  async prepare({ weft, quick }) {
    const n = quick ? 5_000_000 : 20_000_000;
    const m = new weft.Mutex(0);
    const x = weft.__bench.exports();
    const bare = await wasmMutexBaseline();
    return {
      cases: [
        {
          name: "weft bench_mutex(ptr, n)", role: "weft",
          run: () => nsPerOp(n, (k) => {
            if (x.bench_mutex(m.ptr, k) !== 0) throw new Error("bench_mutex: a lock or unlock failed");
          }),
        },
        { name: "bare wasm futex mutex", role: "baseline", run: () => nsPerOp(n, bare) },
      ],
      cleanup() { m.drop(); },
    };
  },
};
