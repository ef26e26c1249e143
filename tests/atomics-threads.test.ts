// Atomics shared between spawned threads: exact totals under contention, a spinlock, message
// passing with fences. Threads synchronise through the atomics themselves and join, never sleeps.
// Inside spawned functions the API is `globalThis.weft` (they are sent as source, no closures).
import { describe, it, expect } from "vitest";
import { useWeft, weft, stress } from "./helpers";
import { O } from "./atomic-fixtures";

useWeft(4);

describe("threads", () => {
  it("the guide's example: 10 threads each fetchAdd(1, Relaxed) count to 10", async () => {
    const counter = new weft.AtomicUsize(0);
    const handles = [];
    for (let i = 0; i < 10; i++) {
      handles.push(weft.spawn([counter], (c) => { c.fetchAdd(1, (globalThis as any).weft.Ordering.Relaxed); }));
    }
    for (const h of handles) await h.join();
    expect(counter.load(O.Relaxed)).toBe(10);
    counter.drop();
  });

  it("contended counter: N threads x M fetchAdd give the exact total", async () => {
    const N = 4, M = stress(20000);
    const n = new weft.AtomicU32(0);
    const returns = await Promise.all(Array.from({ length: N }, () => weft.spawn([n, M], (n, m) => {
      const O = (globalThis as any).weft.Ordering;
      let last = -1;
      for (let i = 0; i < m; i++) {
        const prev = n.fetchAdd(1, O.Relaxed);
        if (prev <= last) throw new Error(`fetchAdd went backwards: ${prev} after ${last}`);
        last = prev;
      }
      return last;
    }).join()));
    expect(n.load(O.SeqCst)).toBe(N * M);
    expect(Math.max(...returns)).toBe(N * M - 1); // someone made the last increment
    n.drop();
  });

  it("contended 64-bit counter with fetchSub from 0 wraps and comes back exactly", async () => {
    const N = 4, M = stress(5000);
    const n = new weft.AtomicU64(0n);
    await Promise.all(Array.from({ length: N }, (_, i) => weft.spawn([n, M, i], (n, m, i) => {
      const O = (globalThis as any).weft.Ordering;
      for (let k = 0; k < m; k++) {
        if (i % 2 === 0) n.fetchSub(3n, O.AcqRel); else n.fetchAdd(3n, O.AcqRel);
      }
    }).join()));
    expect(n.load(O.SeqCst)).toBe(0n);
    n.drop();
  });

  it("fetchUpdate and compareExchangeWeak loops from several threads lose no update", async () => {
    const N = 4, M = stress(5000);
    const a = new weft.AtomicI64(0n), b = new weft.AtomicI32(0);
    await Promise.all(Array.from({ length: N }, () => weft.spawn([a, b, M], (a, b, m) => {
      const O = (globalThis as any).weft.Ordering;
      for (let k = 0; k < m; k++) {
        if (!a.fetchUpdate(O.AcqRel, O.Acquire, (x: bigint) => x + 2n).ok) throw new Error("fetchUpdate stopped");
        let cur = b.load(O.Relaxed);
        for (;;) {
          const r = b.compareExchangeWeak(cur, cur + 1, O.AcqRel, O.Relaxed);
          if (r.ok) break;
          cur = r.value;
        }
      }
    }).join()));
    expect(a.load(O.SeqCst)).toBe(BigInt(2 * N * M));
    expect(b.load(O.SeqCst)).toBe(N * M);
    a.drop(); b.drop();
  });

  it("fetchMax and fetchMin from several threads keep the extremes", async () => {
    const N = 4, M = stress(2000);
    const hi = new weft.AtomicI32(-(2 ** 31)), lo = new weft.AtomicU32(2 ** 32 - 1);
    await Promise.all(Array.from({ length: N }, (_, i) => weft.spawn([hi, lo, M, i], (hi, lo, m, i) => {
      const O = (globalThis as any).weft.Ordering;
      for (let k = 0; k < m; k++) {
        hi.fetchMax(k * 10 + i - 1000, O.Relaxed);
        lo.fetchMin(k * 10 + i + 7, O.Relaxed);
      }
    }).join()));
    expect(hi.load(O.SeqCst)).toBe((M - 1) * 10 + (N - 1) - 1000);
    expect(lo.load(O.SeqCst)).toBe(7);
    hi.drop(); lo.drop();
  });

  it("AtomicBool as a spinlock flag protects a plain SharedArray counter across threads", async () => {
    const N = 4, M = stress(2000);
    const flag = new weft.AtomicBool(false);
    const counter = new weft.SharedArray(Float64Array, 2);
    await Promise.all(Array.from({ length: N }, () => weft.spawn([flag, counter, M], (flag, counter, m) => {
      const O = (globalThis as any).weft.Ordering;
      const cells = counter.array;
      for (let k = 0; k < m; k++) {
        while (!flag.compareExchangeWeak(false, true, O.Acquire, O.Relaxed).ok) {
          while (flag.load(O.Relaxed)) { /* spin on a load until it looks free */ }
        }
        // Plain, non-atomic read-modify-write: only correct because the flag excludes the others.
        cells[0] = cells[0] + 1;
        cells[1] = cells[0] * 2;
        flag.store(false, O.Release);
      }
    }).join()));
    expect(counter.array[0]).toBe(N * M);
    expect(counter.array[1]).toBe(2 * N * M);
    expect(flag.load(O.SeqCst)).toBe(false);
    flag.drop(); counter.drop();
  });

  it("Release/Acquire message passing: a reader that sees the flag sees the data written before it", async () => {
    const ready = new weft.AtomicBool(false);
    const data = new weft.SharedArray(Int32Array, 64);
    const reader = weft.spawn([ready, data], (ready, data) => {
      const w = (globalThis as any).weft;
      while (!ready.load(w.Ordering.Relaxed)) { /* spin */ }
      w.fence(w.Ordering.Acquire); // pairs with the writer's Release fence
      let sum = 0;
      for (let i = 0; i < data.array.length; i++) sum += data.array[i];
      return sum;
    });
    for (let i = 0; i < 64; i++) data.array[i] = i + 1;
    weft.fence(O.Release);
    ready.store(true, O.Relaxed);
    expect(await reader.join()).toBe((64 * 65) / 2);
    ready.drop(); data.drop();
  });
});
