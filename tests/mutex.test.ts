import { describe, it, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";
import { waitUntilBlockedOn, recvOrError } from "./sync-wait";

useWeft(2);
const W = () => (globalThis as any).weft;

/** Spawns a thread that locks `m`, signals via `flag` (a Mutex<number>: 1 = holding) and parks until unparked. */
async function holdInThread(m: any) {
  const flag = new weft.Mutex(0);
  const h = weft.spawn([m.clone(), flag.clone()], (m: any, flag: any) => {
    const g = m.lock();
    { const f = flag.lock(); f.value = 1; f.unlock(); }
    (globalThis as any).weft.thread.park();
    g.unlock();
    return "released";
  });
  // Wait (without sleeping) until the thread holds the lock.
  for (;;) { const f = flag.lock(); const v = f.value; f.unlock(); if (v === 1) break; }
  flag.drop();
  return h;
}

describe("Mutex: semantics", () => {
  it("holds numbers, bigints, booleans and structured values", () => {
    const n = new weft.Mutex(1.5), b = new weft.Mutex(-(2n ** 63n)), t = new weft.Mutex(true);
    const s = new weft.Mutex({ name: "x", tags: new Set(["a"]), when: new Date(0), m: new Map([[1, [2, 3]]]) });
    { using g = n.lock(); expect(g.value).toBe(1.5); g.value = 2.5; }
    { using g = n.lock(); expect(g.value).toBe(2.5); }
    { using g = b.lock(); expect(g.value).toBe(-(2n ** 63n)); g.value = 2n ** 63n - 1n; }
    { using g = b.lock(); expect(g.value).toBe(2n ** 63n - 1n); }
    { using g = t.lock(); expect(g.value).toBe(true); g.value = false; }
    { using g = t.lock(); expect(g.value).toBe(false); }
    { using g = s.lock(); const v = g.value as any; expect(v.tags.has("a")).toBe(true); expect(v.m.get(1)).toEqual([2, 3]); v.name = "y"; }
    { using g = s.lock(); expect((g.value as any).name).toBe("y"); }
    for (const m of [n, b, t, s]) m.drop();
  });

  it("structured values mutated through the guard are written back at unlock, across threads", async () => {
    const s = new weft.Mutex({ count: 0, log: [] as string[] });
    const hs = [0, 1, 2, 3].map((i) => weft.spawn([s.clone(), i], (s: any, i: number) => {
      const g = s.lock(); g.value.count += 1; g.value.log.push(`t${i}`); g.unlock();
    }));
    for (const h of hs) await h.join();
    using g = s.lock();
    expect((g.value as any).count).toBe(4);
    expect([...(g.value as any).log].sort()).toEqual(["t0", "t1", "t2", "t3"]);
  });

  it("a guard that only reads a structured value writes nothing back at unlock", () => {
    const m = new weft.Mutex({ list: Array.from({ length: 1000 }, (_, i) => i), inner: new weft.Mutex(1) });
    const before = weft.stats();
    for (let i = 0; i < 3; i++) { using g = m.lock(); expect((g.value as any).list[999]).toBe(999); }
    const after = weft.stats();
    expect(after.heapBytes).toBe(before.heapBytes);
    expect(after.heapTop).toBe(before.heapTop);
    { using g = m.lock(); (g.value as any).list.push(1000); }
    let seen: any;
    { using g = m.lock(); seen = g.value; expect(seen.list).toHaveLength(1001); }
    // The decoded inner handle has a reference of its own: usable after the guard is gone.
    { using gi = seen.inner.lock(); expect(gi.value).toBe(1); }
    seen.inner.drop();
    m.drop();
  });

  it("holds a handle: a Mutex inside a Mutex", async () => {
    const inner = new weft.Mutex(7);
    const outer = new weft.Mutex(inner);
    inner.drop(); // the outer mutex keeps its own reference
    const r = await weft.spawn([outer.clone()], (o: any) => {
      const g = o.lock(); const i = g.value; const gi = i.lock(); gi.value *= 6; const v = gi.value; gi.unlock(); i.drop(); g.unlock(); return v;
    }).join();
    expect(r).toBe(42);
    outer.drop();
  });

  it("tryLock gives null while another thread holds the lock; tryLockFor times out", async () => {
    const m = new weft.Mutex(0);
    const h = await holdInThread(m);
    expect(m.tryLock()).toBeNull();
    expect(m.tryLockFor(5)).toBeNull();
    expect(m.tryLockFor(0)).toBeNull();
    h.thread.unpark();
    expect(await h.join()).toBe("released");
    const g = m.tryLock();
    expect(g).not.toBeNull();
    g!.unlock();
    m.drop();
  });

  it("lockAsync resolves once the holder releases; times out with TimeoutError", async () => {
    const m = new weft.Mutex(0);
    const h = await holdInThread(m);
    await expect(m.lockAsync({ timeout: 5 })).rejects.toBeInstanceOf(weft.TimeoutError);
    const pending = m.lockAsync();
    h.thread.unpark();
    const g = await pending;
    expect(g.value).toBe(0);
    g.unlock();
    await h.join();
    m.drop();
  });

  it("into_inner takes the value out and drops the handle", () => {
    const m = new weft.Mutex({ a: 1 });
    expect(m.intoInner()).toEqual({ a: 1 });
    expect(m.isDropped).toBe(true);
  });
});

describe("Mutex: contention", () => {
  it("N threads x M increments give the exact total", async () => {
    const threads = 4, iters = stress(5_000);
    const m = new weft.Mutex(0);
    const hs = Array.from({ length: threads }, () => weft.spawn([m.clone(), iters], (m: any, n: number) => {
      for (let i = 0; i < n; i++) { const g = m.lock(); g.value += 1; g.unlock(); }
    }));
    for (let i = 0; i < iters; i++) { const g = m.lock(); g.value += 1; g.unlock(); }
    for (const h of hs) await h.join();
    using g = m.lock();
    expect(g.value).toBe((threads + 1) * iters);
  });

  it("async lockers on the main thread and blocking lockers in workers interleave exactly", async () => {
    const iters = stress(500);
    const m = new weft.Mutex(0n);
    const h = weft.spawn([m.clone(), iters], (m: any, n: number) => {
      for (let i = 0; i < n; i++) { const g = m.lock(); g.value += 1n; g.unlock(); }
    });
    for (let i = 0; i < iters; i++) { const g = await m.lockAsync(); g.value = (g.value as bigint) + 1n; g.unlock(); }
    await h.join();
    using g = m.lock();
    expect(g.value).toBe(BigInt(2 * iters));
  });

  it("async_steals_wakeup: a parked lockAsync on a busy main thread does not take a blocked thread's wake-up", async () => {
    // Bug: the holder's unlock woke one waiter, the notify queue is FIFO over async and blocking
    // waiters, so the lockAsync parked first took it while the main thread was blocked (below),
    // and the blocked thread slept beside a free mutex.
    const m = new weft.Mutex(7);
    const h = await holdInThread(m);
    const parked = m.lockAsync(); // its waitAsync is queued before this call returns
    const [replyTx, replyRx] = weft.bounded(1);
    const blocked = weft.spawn([m.clone(), replyTx], (m: any, replyTx: any) => {
      const g = m.lock();
      replyTx.send(g.value);
      g.unlock();
    });
    waitUntilBlockedOn(m); // the thread sleeps (or is about to) behind the parked lockAsync
    h.thread.unpark(); // the holder unlocks: one wake-up
    const got = recvOrError(replyRx, 10_000); // blocks the main thread: the lockAsync cannot act
    const g = await parked;
    expect(g.value).toBe(7);
    g.unlock();
    await Promise.all([h.join(), blocked.join()]);
    expect(got).toBe(7); // the blocked thread took the lock while the main thread was blocked
    for (const x of [replyTx, replyRx]) x.close();
    m.drop();
  });
});

describe("Mutex: poisoning", () => {
  it("a panicking holder poisons; clearPoison clears; tryLock reports poison too", async () => {
    const m = new weft.Mutex(5);
    await weft.spawn([m.clone()], (m: any) => { m.lock(); throw new Error("boom"); }).join().catch(() => {});
    expect(m.isPoisoned()).toBe(true);
    expect(() => m.tryLock()).toThrow(weft.PoisonError);
    expect(() => m.tryLockFor(1)).toThrow(weft.PoisonError);
    await expect(m.lockAsync()).rejects.toBeInstanceOf(weft.PoisonError);
    m.clearPoison();
    expect(m.isPoisoned()).toBe(false);
    using g = m.lock();
    expect(g.value).toBe(5);
  });

  it("a thread whose function returns still holding a guard releases it, unpoisoned (Rust drops it)", async () => {
    const m = new weft.Mutex(0);
    await weft.spawn([m.clone()], (m: any) => { const g = m.lock(); g.value = 9; }).join();
    expect(m.isPoisoned()).toBe(false);
    const g = m.tryLock();
    expect(g).not.toBeNull();
    expect(g!.value).toBe(9);
    g!.unlock();
    m.drop();
  });

  it("a thread that releases its guard before throwing does not poison", async () => {
    const m = new weft.Mutex(0);
    await weft.spawn([m.clone()], (m: any) => { const g = m.lock(); g.unlock(); throw new Error("after"); }).join().catch(() => {});
    expect(m.isPoisoned()).toBe(false);
    m.drop();
  });

  it("a wasm trap while holding the lock poisons it", async () => {
    const m = new weft.Mutex(0);
    const err = await weft.spawn([m.clone()], (m: any) => {
      m.lock();
      // (module (func (export "f") unreachable)): calling f traps.
      const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0,
        7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11]);
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes));
      (inst.exports.f as () => void)();
    }).join().catch((e) => e);
    expect(err).toBeInstanceOf(weft.ThreadPanic);
    expect(err.originalName).toBe("RuntimeError");
    expect(m.isPoisoned()).toBe(true);
    m.drop();
  });
});

describe("Mutex: bad input", () => {
  it("double unlock throws NotLockedError; dispose after unlock is a no-op", () => {
    const m = new weft.Mutex(0);
    const g = m.lock();
    g.unlock();
    expect(() => g.unlock()).toThrow(weft.NotLockedError);
    expect(() => g.value).toThrow(weft.NotLockedError);
    g[Symbol.dispose]();
    expect(() => m.forceUnlock()).toThrow(weft.NotLockedError);
    m.drop();
  });

  it("only the holder may unlock: forceUnlock from another thread is NotOwnerError", async () => {
    const m = new weft.Mutex(0);
    const g = m.lock();
    const err = await weft.spawn([m.clone()], (m: any) => {
      try { m.forceUnlock(); return "unlocked"; } catch (e: any) { return e.name; }
    }).join();
    expect(err).toBe("NotOwnerError");
    expect(m.tryLock()).toBeNull(); // still held by us
    g.unlock();
    m.drop();
  });

  it("a guard cannot be sent to another thread (NotSendError), so it cannot be unlocked there", () => {
    const m = new weft.Mutex(0);
    const g = m.lock();
    expect(() => weft.spawn([g], (g: any) => g.unlock())).toThrow(weft.NotSendError);
    g.unlock();
    m.drop();
  });

  it("locking again on the holding thread throws WouldDeadlockError instead of hanging", () => {
    const m = new weft.Mutex(0);
    const g = m.lock();
    expect(() => m.lock()).toThrow(weft.WouldDeadlockError);
    expect(m.tryLock()).toBeNull();
    g.unlock();
    m.drop();
  });

  it("negative or NaN timeouts are InvalidArgumentError", async () => {
    const m = new weft.Mutex(0);
    expect(() => m.tryLockFor(-1)).toThrow(weft.InvalidArgumentError);
    expect(() => m.tryLockFor(NaN)).toThrow(weft.InvalidArgumentError);
    expect(() => m.tryLockFor("5" as any)).toThrow(weft.InvalidArgumentError);
    await expect(m.lockAsync({ timeout: -5 })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    const g = m.tryLock(); // state intact
    expect(g).not.toBeNull();
    g!.unlock();
    m.drop();
  });

  it("values a lock cannot hold are UnsupportedValueError; kinds are fixed", () => {
    expect(() => new weft.Mutex(() => 1)).toThrow(weft.UnsupportedValueError);
    expect(() => new weft.Mutex(Symbol("s"))).toThrow(weft.UnsupportedValueError);
    expect(() => new weft.Mutex({ f() {} })).toThrow(weft.UnsupportedValueError);
    expect(() => new weft.Mutex(new WeakMap())).toThrow(weft.UnsupportedValueError);
    expect(() => new weft.Mutex(2n ** 64n)).toThrow(weft.UnsupportedValueError);
    const before = weft.stats().heapBytes;
    const m = new weft.Mutex(1);
    const g = m.lock();
    expect(() => { g.value = "one" as any; }).toThrow(weft.UnsupportedValueError);
    expect(g.value).toBe(1);
    g.unlock();
    const s = new weft.Mutex({ a: 1 });
    const gs = s.lock();
    expect(() => { gs.value = { f: () => 1 }; }).toThrow(weft.UnsupportedValueError);
    expect(gs.value).toEqual({ a: 1 });
    (gs.value as any).g = Symbol("late"); // a mutation that cannot be written back
    expect(() => gs.unlock()).toThrow(weft.UnsupportedValueError);
    const again = s.tryLock(); // ... yet the lock was released
    expect(again).not.toBeNull();
    again!.unlock();
    expect(s.intoInner()).toEqual({ a: 1 });
    m.drop();
    expect(weft.stats().heapBytes).toBe(before);
  });

  it("use after drop is DroppedError; drop with a live guard is deferred to its unlock", () => {
    const m = new weft.Mutex(0);
    const g = m.lock();
    m.drop();
    expect(m.isDropped).toBe(false); // deferred: the guard still uses it
    g.value = 3;
    g.unlock();
    expect(m.isDropped).toBe(true);
    expect(() => m.lock()).toThrow(weft.DroppedError);
    expect(() => m.clone()).toThrow(weft.DroppedError);
    m.drop(); // idempotent
  });

  it("forged and stale handles are InvalidHandleError", () => {
    expect(() => weft.Mutex.fromRaw({ ptr: 12345, gen: 1 })).toThrow(weft.InvalidHandleError);
    expect(() => weft.Mutex.fromRaw({ ptr: 0, gen: 0 })).toThrow(weft.InvalidHandleError);
    expect(() => weft.Mutex.fromRaw({ ptr: 2 ** 40, gen: 1 })).toThrow(weft.InvalidHandleError);
    expect(() => weft.Mutex.fromRaw({ ptr: "x" } as any)).toThrow(weft.InvalidArgumentError);
    const m = new weft.Mutex(1);
    const raw = m.clone().intoRaw();
    const again = weft.Mutex.fromRaw(raw);
    { using g = again.lock(); expect(g.value).toBe(1); }
    expect(() => weft.Mutex.fromRaw({ ptr: raw.ptr, gen: raw.gen + 1 })).toThrow(weft.InvalidHandleError);
    again.drop();
    m.drop(); // last reference: freed
    expect(() => weft.Mutex.fromRaw(raw)).toThrow(weft.InvalidHandleError);
  });

  it("dropping every handle frees the mutex and what it holds", () => {
    const before = weft.stats().heapBytes;
    const m = new weft.Mutex({ big: "x".repeat(10_000) });
    const c = m.clone();
    m.drop();
    expect(weft.stats().heapBytes).toBeGreaterThan(before);
    c.drop();
    expect(weft.stats().heapBytes).toBe(before);
  });
});
