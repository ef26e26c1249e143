import { describe, it, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";
import { waitUntilBlockedOn, recvOrError } from "./sync-wait";

useWeft(4);

/**
 * Parks this thread until the Mutex<number> `flag` satisfies `pred`. Threads that change the flag
 * unpark us afterwards (an unpark before our park is not lost: Rust's token semantics), so we
 * never hammer a lock the other threads need.
 */
function parkUntil(flag: any, pred: (v: number) => boolean): number {
  for (;;) { const g = flag.lock(); const v = g.value; g.unlock(); if (pred(v)) return v; weft.thread.park(); }
}

/**
 * Busy-waits until a writer is queued on `rw`: while we read-hold it, tryRead fails only then.
 * Returns false if none queued within `ms` (a lock that let readers pass a waiting writer).
 */
function writerQueued(rw: any, ms = 10_000): boolean {
  const end = performance.now() + ms;
  while (performance.now() < end) { const r = rw.tryRead(); if (r === null) return true; r.unlock(); }
  return false;
}

/** A thread that takes `rw` (write or read), tells us, and parks until unparked, then releases it. */
async function holdInThread(rw: any, write: boolean) {
  const flag = new weft.Mutex(0);
  const me = weft.thread.current();
  const h = weft.spawn([rw.clone(), flag.clone(), me, write], (rw: any, flag: any, main: any, write: boolean) => {
    const g = write ? rw.write() : rw.read();
    { const f = flag.lock(); f.value = 1; f.unlock(); }
    main.unpark();
    (globalThis as any).weft.thread.park();
    g.unlock();
    return "released";
  });
  parkUntil(flag, (v) => v === 1);
  flag.drop();
  me.drop();
  return h;
}

describe("RwLock: semantics", () => {
  it("many readers hold the lock at the same time", async () => {
    const readers = 4;
    const rw = new weft.RwLock(7);
    const inside = new weft.Mutex(0);
    const cv = new weft.Condvar();
    // Each reader holds its read lock until every reader is inside: only possible if they share it.
    const hs = Array.from({ length: readers }, () => weft.spawn([rw.clone(), inside.clone(), cv.clone(), readers], (rw: any, inside: any, cv: any, n: number) => {
      const g = rw.read();
      const c = inside.lock();
      c.value += 1;
      cv.notifyAll();
      const { timedOut } = cv.waitTimeoutWhile(c, 20_000, (v: number) => v < n); // bounded: fails instead of hanging
      c.unlock();
      const v = g.value;
      g.unlock();
      return timedOut ? -1 : v;
    }));
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual(Array(readers).fill(7));
    rw.drop();
    inside.drop();
    cv.drop();
  });

  it("a writer excludes readers and other writers; readers exclude writers", async () => {
    const rw = new weft.RwLock(0);
    const h = await holdInThread(rw, true);
    expect(rw.tryRead()).toBeNull();
    expect(rw.tryWrite()).toBeNull();
    expect(rw.tryReadFor(2)).toBeNull();
    expect(rw.tryWriteFor(2)).toBeNull();
    h.thread.unpark();
    expect(await h.join()).toBe("released");
    const r = rw.read();
    const r2 = rw.tryRead();
    expect(r2).not.toBeNull();
    expect(rw.tryWrite()).toBeNull(); // readers exclude a writer
    r.unlock();
    r2!.unlock();
    const w = rw.tryWrite();
    expect(w).not.toBeNull();
    w!.unlock();
    rw.drop();
  });

  it("holds numbers, bigints, booleans and structured values; writes are visible to later readers", () => {
    const n = new weft.RwLock(1.5), b = new weft.RwLock(-(2n ** 63n)), t = new weft.RwLock(true);
    const s = new weft.RwLock({ name: "x", list: [1], m: new Map([[1, "a"]]) });
    { using w = n.write(); expect(w.value).toBe(1.5); w.value = 2.5; }
    { using r = n.read(); expect(r.value).toBe(2.5); }
    { using w = b.write(); w.value = 2n ** 63n - 1n; }
    { using r = b.read(); expect(r.value).toBe(2n ** 63n - 1n); }
    { using w = t.write(); w.value = false; }
    { using r = t.read(); expect(r.value).toBe(false); }
    { using w = s.write(); const v = w.value as any; v.name = "y"; v.list.push(2); v.m.set(2, "b"); }
    { using r = s.read(); const v = r.value as any; expect(v.name).toBe("y"); expect(v.list).toEqual([1, 2]); expect(v.m.get(2)).toBe("b"); }
    for (const l of [n, b, t, s]) l.drop();
  });

  it("a read guard's value is read-only: assigning throws InvalidArgumentError and changes nothing", () => {
    const rw = new weft.RwLock(3);
    const r = rw.read();
    expect(() => { (r as any).value = 4; }).toThrow(weft.InvalidArgumentError);
    expect(r.value).toBe(3);
    r.unlock();
    rw.drop();
  });

  it("intoInner takes the value out and drops the handle", () => {
    const rw = new weft.RwLock({ a: [1, 2] });
    expect(rw.intoInner()).toEqual({ a: [1, 2] });
    expect(rw.isDropped).toBe(true);
  });

  it("a handle sent to another thread names the same lock", async () => {
    const rw = new weft.RwLock(10);
    const v = await weft.spawn([rw.clone()], (rw: any) => { const w = rw.write(); w.value += 5; w.unlock(); const r = rw.read(); const v = r.value; r.unlock(); return v; }).join();
    expect(v).toBe(15);
    using r = rw.read();
    expect(r.value).toBe(15);
  });
});

describe("RwLock: contention", () => {
  it("writers increment and readers see consistent, monotonic values; the total is exact", async () => {
    const writers = 2, readers = 2, iters = stress(2_000);
    const rw = new weft.RwLock(0);
    const ws = Array.from({ length: writers }, () => weft.spawn([rw.clone(), iters], (rw: any, n: number) => {
      for (let i = 0; i < n; i++) { const w = rw.write(); const v = w.value; w.value = v + 1; w.unlock(); }
    }));
    const rs = Array.from({ length: readers }, () => weft.spawn([rw.clone(), iters], (rw: any, n: number) => {
      let last = -1, bad = 0;
      for (let i = 0; i < n; i++) {
        const r = rw.read(); const v = r.value; const again = r.value; r.unlock();
        if (v < last || v !== again || !Number.isInteger(v)) bad++;
        last = v;
      }
      return bad;
    }));
    for (let i = 0; i < iters; i++) { const w = rw.write(); w.value += 1; w.unlock(); }
    for (const h of ws) await h.join();
    expect(await Promise.all(rs.map((h) => h.join()))).toEqual(Array(readers).fill(0));
    using r = rw.read();
    expect(r.value).toBe((writers + 1) * iters);
  });

  it("a structured invariant (a + b === 0) holds for every reader while writers change it", async () => {
    const iters = stress(300);
    const rw = new weft.RwLock({ a: 0, b: 0 });
    const w = weft.spawn([rw.clone(), iters], (rw: any, n: number) => {
      for (let i = 0; i < n; i++) { const g = rw.write(); g.value.a += 1; g.value.b -= 1; g.unlock(); }
    });
    const rs = [0, 1].map(() => weft.spawn([rw.clone(), iters], (rw: any, n: number) => {
      let bad = 0;
      for (let i = 0; i < n; i++) { const g = rw.read(); if (g.value.a + g.value.b !== 0) bad++; g.unlock(); }
      return bad;
    }));
    await w.join();
    expect(await Promise.all(rs.map((h) => h.join()))).toEqual([0, 0]);
    using r = rw.read();
    expect(r.value).toEqual({ a: iters, b: -iters });
  });

  it("async writers on the main thread and blocking writers in workers interleave exactly", async () => {
    const iters = stress(500);
    const rw = new weft.RwLock(0n);
    const h = weft.spawn([rw.clone(), iters], (rw: any, n: number) => {
      for (let i = 0; i < n; i++) { const w = rw.write(); w.value += 1n; w.unlock(); }
    });
    for (let i = 0; i < iters; i++) {
      const w = await rw.writeAsync();
      w.value = (w.value as bigint) + 1n;
      w.unlock();
      const r = await rw.readAsync();
      expect(typeof r.value).toBe("bigint");
      r.unlock();
    }
    await h.join();
    using r = rw.read();
    expect(r.value).toBe(BigInt(2 * iters));
  });
});

describe("RwLock: no writer starvation", () => {
  it("a waiting writer stops new readers: it goes before a reader that arrived after it", async () => {
    const rw = new weft.RwLock(0);
    const r1 = rw.read();
    const writer = weft.spawn([rw.clone()], (rw: any) => { const w = rw.write(); w.value = 1; w.unlock(); });
    expect(writerQueued(rw)).toBe(true); // the writer is queued behind our read lock
    expect(rw.tryRead()).toBeNull();
    const late = rw.readAsync(); // a reader arriving now queues behind the writer (announced synchronously)
    r1.unlock();
    await writer.join();
    const r = await late;
    expect(r.value).toBe(1); // the writer went first
    r.unlock();
    rw.drop();
  });

  it("async_steals_wakeup: a parked writeAsync on a busy main thread does not take a blocked writer's wake-up", async () => {
    // Bug: the hand-over woke one writer, the notify queue is FIFO over async and blocking
    // waiters, so the writeAsync parked first took it while the main thread was blocked (below),
    // and the blocked writer slept beside a free lock.
    const rw = new weft.RwLock(0);
    const r1 = rw.read();
    const parked = rw.writeAsync(); // queues a writer; its waitAsync is queued before this returns
    const [replyTx, replyRx] = weft.bounded(1);
    const blocked = weft.spawn([rw.clone(), replyTx], (rw: any, replyTx: any) => {
      const w = rw.write();
      w.value = 1;
      replyTx.send(w.value);
      w.unlock();
    });
    waitUntilBlockedOn(rw); // the writer sleeps (or is about to) behind the parked writeAsync
    r1.unlock(); // the last reader out hands over to one writer
    const got = recvOrError(replyRx, 10_000); // blocks the main thread: the writeAsync cannot act
    const w = await parked;
    w.value = 2;
    w.unlock();
    await blocked.join();
    expect(got).toBe(1); // the blocked writer took the lock while the main thread was blocked
    using r = rw.read();
    expect(r.value).toBe(2);
    for (const x of [replyTx, replyRx]) x.close();
  });

  it("async_steals_wakeup: when only a parked writeAsync of a busy thread could be woken, the blocked readers are woken too", async () => {
    // Bug: with an async writer and blocked readers waiting, the unlock woke the async writer
    // only and kept the free lock for it, so the readers slept while the main thread was blocked.
    const rw = new weft.RwLock(0);
    const h = await holdInThread(rw, true);
    const parked = rw.writeAsync();
    const [replyTx, replyRx] = weft.bounded(1);
    const reader = weft.spawn([rw.clone(), replyTx], (rw: any, replyTx: any) => {
      const r = rw.read();
      replyTx.send(r.value + 1);
      r.unlock();
    });
    waitUntilBlockedOn(rw); // the reader sleeps (or is about to) behind the queued writer
    h.thread.unpark(); // the writer unlocks: readers and writers wait
    const got = recvOrError(replyRx, 10_000); // blocks the main thread: the writeAsync cannot act
    const w = await parked;
    w.value = 7;
    w.unlock();
    await Promise.all([h.join(), reader.join()]);
    expect(got).toBe(1); // the reader got in while the main thread was blocked
    using r = rw.read();
    expect(r.value).toBe(7);
    for (const x of [replyTx, replyRx]) x.close();
  });

  it("a writer gets in while readers keep arriving and overlap (the lock is never free of readers)", async () => {
    const readers = 3, writes = stress(5);
    const rw = new weft.RwLock(0);
    const arrivals = new weft.Mutex(0);
    const arrived = new weft.Condvar();
    // A relay: each reader keeps its read lock until another reader has come in after it (or
    // 50 ms passed), so without writer preference some reader would always hold the lock.
    const rs = Array.from({ length: readers }, () => weft.spawn([rw.clone(), arrivals.clone(), arrived.clone(), writes], (rw: any, arrivals: any, arrived: any, n: number) => {
      let reads = 0;
      for (;;) {
        const r = rw.read();
        const a = arrivals.lock();
        const mine = ++a.value;
        arrived.notifyAll();
        arrived.waitTimeoutWhile(a, 50, (v: number) => v === mine);
        a.unlock();
        const v = r.value;
        r.unlock();
        reads++;
        if (v >= n) return reads;
      }
    }));
    { // the relay runs
      const a = arrivals.lock();
      expect(arrived.waitTimeoutWhile(a, 20_000, (v) => v < readers).timedOut).toBe(false);
      a.unlock();
    }
    const w = weft.spawn([rw.clone(), writes], (rw: any, n: number) => {
      for (let i = 0; i < n; i++) {
        const g = rw.tryWriteFor(5_000); // a starved writer times out here
        if (g === null) return `starved at write ${i}`;
        g.value += 1;
        g.unlock();
      }
      return "done";
    });
    expect(await w.join()).toBe("done");
    for (const n of await Promise.all(rs.map((h) => h.join()))) expect(n).toBeGreaterThan(0);
    using r = rw.read();
    expect(r.value).toBe(writes);
    arrivals.drop();
    arrived.drop();
  });
});

describe("RwLock: timeouts", () => {
  it("tryWriteFor / tryReadFor return null after waiting while another thread holds the write lock", async () => {
    const rw = new weft.RwLock(0);
    const h = await holdInThread(rw, true);
    const t0 = performance.now();
    expect(rw.tryWriteFor(20)).toBeNull();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    const t1 = performance.now();
    expect(rw.tryReadFor(20)).toBeNull();
    expect(performance.now() - t1).toBeGreaterThanOrEqual(15);
    expect(rw.tryWriteFor(0)).toBeNull();
    h.thread.unpark();
    await h.join();
    const g = rw.tryWriteFor(1_000);
    expect(g).not.toBeNull();
    g!.unlock();
    rw.drop();
  });

  it("tryWriteFor returns null while readers hold the lock", async () => {
    const rw = new weft.RwLock(0);
    const h = await holdInThread(rw, false);
    expect(rw.tryWriteFor(10)).toBeNull();
    h.thread.unpark();
    await h.join();
    // The timed-out writer left no lasting effect: readers and writers get in.
    const r = rw.tryRead();
    expect(r).not.toBeNull();
    r!.unlock();
    const w = rw.tryWrite();
    expect(w).not.toBeNull();
    w!.unlock();
    rw.drop();
  });

  it("a writer that timed out strands no reader queued behind it", async () => {
    const rw = new weft.RwLock(0);
    const r1 = rw.read();
    const writer = weft.spawn([rw.clone()], (rw: any) => rw.tryWriteFor(30) === null ? "timed out" : "got it");
    expect(writerQueued(rw)).toBe(true);
    const late = rw.readAsync(); // queued behind the writer
    expect(await writer.join()).toBe("timed out"); // it gave up while we still held the lock
    r1.unlock(); // the last reader out must now wake the queued reader, not the departed writer
    const r = await late;
    expect(r.value).toBe(0);
    r.unlock();
    rw.drop();
  });

  it("readAsync / writeAsync reject with TimeoutError while the lock is held elsewhere, and succeed after", async () => {
    const rw = new weft.RwLock(0);
    const h = await holdInThread(rw, true);
    await expect(rw.readAsync({ timeout: 5 })).rejects.toBeInstanceOf(weft.TimeoutError);
    await expect(rw.writeAsync({ timeout: 5 })).rejects.toBeInstanceOf(weft.TimeoutError);
    const pending = rw.writeAsync();
    h.thread.unpark();
    const w = await pending;
    w.value = 9;
    w.unlock();
    await h.join();
    const r = await rw.readAsync({ timeout: 1_000 });
    expect(r.value).toBe(9);
    r.unlock();
    rw.drop();
  });

  it("negative or NaN timeouts are InvalidArgumentError and leave the lock intact", async () => {
    const rw = new weft.RwLock(0);
    expect(() => rw.tryReadFor(-1)).toThrow(weft.InvalidArgumentError);
    expect(() => rw.tryWriteFor(NaN)).toThrow(weft.InvalidArgumentError);
    expect(() => rw.tryWriteFor("5" as any)).toThrow(weft.InvalidArgumentError);
    await expect(rw.readAsync({ timeout: -5 })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    await expect(rw.writeAsync({ timeout: NaN })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    const w = rw.tryWrite();
    expect(w).not.toBeNull();
    w!.unlock();
    rw.drop();
  });
});

describe("RwLock: poisoning", () => {
  it("a panicking writer poisons the lock and releases it; PoisonError.intoInner and clearPoison work", async () => {
    const rw = new weft.RwLock(5);
    const err = await weft.spawn([rw.clone()], (rw: any) => { const w = rw.write(); w.value = 6; throw new Error("boom"); }).join().catch((e) => e);
    expect(err).toBeInstanceOf(weft.ThreadPanic);
    expect(rw.isPoisoned()).toBe(true);
    let caught: any;
    try { rw.read(); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(weft.PoisonError);
    const r = caught.intoInner(); // a read guard, poison ignored
    expect(r.value).toBe(6);
    r.unlock();
    expect(() => rw.write()).toThrow(weft.PoisonError);
    expect(() => rw.tryRead()).toThrow(weft.PoisonError);
    expect(() => rw.tryWriteFor(1)).toThrow(weft.PoisonError);
    await expect(rw.readAsync()).rejects.toBeInstanceOf(weft.PoisonError);
    await expect(rw.writeAsync()).rejects.toBeInstanceOf(weft.PoisonError);
    rw.clearPoison();
    expect(rw.isPoisoned()).toBe(false);
    using w = rw.write(); // the lock was released by the panic cleanup and after every PoisonError
    expect(w.value).toBe(6);
  });

  it("a panicking writer's lock wakes a writer blocked on it, which then sees the poison", async () => {
    const rw = new weft.RwLock(0);
    const flag = new weft.Mutex(0);
    const me = weft.thread.current();
    const panicker = weft.spawn([rw.clone(), flag.clone(), me], (rw: any, flag: any, main: any) => {
      rw.write();
      { const f = flag.lock(); f.value = 1; f.unlock(); }
      main.unpark();
      (globalThis as any).weft.thread.park();
      throw new Error("boom");
    });
    parkUntil(flag, (v) => v === 1);
    me.drop();
    const waiting = rw.writeAsync();
    panicker.thread.unpark();
    await expect(waiting).rejects.toBeInstanceOf(weft.PoisonError);
    await expect(panicker.join()).rejects.toBeInstanceOf(weft.ThreadPanic);
    rw.clearPoison();
    using w = rw.write();
    expect(w.value).toBe(0);
    flag.drop();
  });

  it("a panicking reader does not poison the lock", async () => {
    const rw = new weft.RwLock(1);
    const err = await weft.spawn([rw.clone()], (rw: any) => {
      const r = rw.read();
      try { throw new Error("reader boom"); } finally { r.unlock(); } // what unwinding does in Rust
    }).join().catch((e) => e);
    expect(err).toBeInstanceOf(weft.ThreadPanic);
    expect(rw.isPoisoned()).toBe(false);
    using w = rw.write();
    expect(w.value).toBe(1);
  });

  it("a panicking thread poisons only the lock it holds for writing, not one it reads", async () => {
    const written = new weft.RwLock(0), read = new weft.RwLock(0);
    await weft.spawn([written.clone(), read.clone()], (a: any, b: any) => {
      const r = b.read(); a.write(); r.unlock(); throw new Error("boom");
    }).join().catch(() => {});
    expect(written.isPoisoned()).toBe(true);
    expect(read.isPoisoned()).toBe(false);
    written.drop();
    read.drop();
  });
});

describe("RwLock: bad input", () => {
  it("double unlock throws NotLockedError for both guards; dispose after unlock is a no-op", () => {
    const rw = new weft.RwLock(0);
    const r = rw.read();
    r.unlock();
    expect(() => r.unlock()).toThrow(weft.NotLockedError);
    expect(() => r.value).toThrow(weft.NotLockedError);
    r[Symbol.dispose]();
    const w = rw.write();
    w.unlock();
    expect(() => w.unlock()).toThrow(weft.NotLockedError);
    expect(() => { w.value = 1; }).toThrow(weft.NotLockedError);
    w[Symbol.dispose]();
    const again = rw.tryWrite(); // state intact
    expect(again).not.toBeNull();
    again!.unlock();
    rw.drop();
  });

  it("locking again on the writing thread throws WouldDeadlockError instead of hanging", () => {
    const rw = new weft.RwLock(0);
    const w = rw.write();
    expect(() => rw.write()).toThrow(weft.WouldDeadlockError);
    expect(() => rw.read()).toThrow(weft.WouldDeadlockError);
    expect(() => rw.tryWriteFor(10)).toThrow(weft.WouldDeadlockError);
    expect(rw.tryWrite()).toBeNull();
    expect(rw.tryRead()).toBeNull();
    w.unlock();
    rw.drop();
  });

  it("use after drop is DroppedError; drop with a live guard is deferred to its unlock", async () => {
    const rw = new weft.RwLock(0);
    const w = rw.write();
    rw.drop();
    expect(rw.isDropped).toBe(false);
    w.value = 3;
    w.unlock();
    expect(rw.isDropped).toBe(true);
    expect(() => rw.read()).toThrow(weft.DroppedError);
    expect(() => rw.write()).toThrow(weft.DroppedError);
    expect(() => rw.tryRead()).toThrow(weft.DroppedError);
    expect(() => rw.isPoisoned()).toThrow(weft.DroppedError);
    await expect(rw.readAsync()).rejects.toBeInstanceOf(weft.DroppedError);
    rw.drop(); // idempotent
  });

  it("dropping the handle while an async lock waits rejects it with DroppedError and passes the lock on", async () => {
    const rw = new weft.RwLock(0);
    const other = rw.clone();
    const w = rw.write();
    const pending = other.writeAsync();
    const pendingRead = rw.readAsync();
    other.drop(); // no guard of `other` is live: dropped now, while its writeAsync waits
    w.unlock();
    await expect(pending).rejects.toBeInstanceOf(weft.DroppedError);
    const r = await pendingRead; // the reader behind it was not stranded
    expect(r.value).toBe(0);
    r.unlock();
    rw.drop();
  });

  it("forged and stale handles are InvalidHandleError", () => {
    expect(() => weft.RwLock.fromRaw({ ptr: 12345, gen: 1 })).toThrow(weft.InvalidHandleError);
    expect(() => weft.RwLock.fromRaw({ ptr: 0, gen: 0 })).toThrow(weft.InvalidHandleError);
    expect(() => weft.RwLock.fromRaw({ ptr: "x" } as any)).toThrow(weft.InvalidArgumentError);
    const m = new weft.Mutex(1);
    const mraw = m.clone().intoRaw();
    expect(() => weft.RwLock.fromRaw(mraw)).toThrow(weft.InvalidHandleError); // a Mutex is not an RwLock
    weft.Mutex.fromRaw(mraw).drop();
    m.drop();
    const rw = new weft.RwLock(1);
    const raw = rw.clone().intoRaw();
    const again = weft.RwLock.fromRaw(raw);
    { using r = again.read(); expect(r.value).toBe(1); }
    again.drop();
    rw.drop();
    expect(() => weft.RwLock.fromRaw(raw)).toThrow(weft.InvalidHandleError);
  });

  it("values an RwLock cannot hold are UnsupportedValueError; kinds are fixed; nothing leaks", () => {
    expect(() => new weft.RwLock(() => 1)).toThrow(weft.UnsupportedValueError);
    expect(() => new weft.RwLock(Symbol("s"))).toThrow(weft.UnsupportedValueError);
    expect(() => new weft.RwLock({ f() {} })).toThrow(weft.UnsupportedValueError);
    expect(() => new weft.RwLock(2n ** 64n)).toThrow(weft.UnsupportedValueError);
    const before = weft.stats().heapBytes;
    const n = new weft.RwLock(1);
    const w = n.write();
    expect(() => { w.value = "one" as any; }).toThrow(weft.UnsupportedValueError);
    expect(w.value).toBe(1);
    w.unlock();
    const s = new weft.RwLock({ a: 1 });
    const ws = s.write();
    expect(() => { ws.value = { f: () => 1 }; }).toThrow(weft.UnsupportedValueError);
    expect(ws.value).toEqual({ a: 1 });
    (ws.value as any).g = Symbol("late"); // a mutation that cannot be written back
    expect(() => ws.unlock()).toThrow(weft.UnsupportedValueError);
    const again = s.tryWrite(); // ... yet the lock was released
    expect(again).not.toBeNull();
    again!.unlock();
    expect(s.intoInner()).toEqual({ a: 1 });
    n.drop();
    expect(weft.stats().heapBytes).toBe(before);
  });

  it("guards cannot be sent to another thread (NotSendError)", () => {
    const rw = new weft.RwLock(0);
    const r = rw.read();
    expect(() => weft.spawn([r], (r: any) => r.unlock())).toThrow(weft.NotSendError);
    r.unlock();
    const w = rw.write();
    expect(() => weft.spawn([{ w }], (o: any) => o.w.unlock())).toThrow(weft.NotSendError);
    w.unlock();
    rw.drop();
  });

  it("dropping every handle frees the lock and what it holds", () => {
    const before = weft.stats().heapBytes;
    const rw = new weft.RwLock({ big: "x".repeat(10_000) });
    const c = rw.clone();
    rw.drop();
    expect(weft.stats().heapBytes).toBeGreaterThan(before);
    c.drop();
    expect(weft.stats().heapBytes).toBe(before);
  });
});

describe("RwLock: locks left held when a thread ends", () => {
  it("a reader that panics without unlocking releases its read lock (no poison)", async () => {
    const l = new weft.RwLock(1);
    const err = await weft.spawn([l.clone()], (l: any) => { l.read(); throw new Error("reader panic"); }).join().catch((e) => e);
    expect(err).toBeInstanceOf(weft.ThreadPanic);
    expect(l.isPoisoned()).toBe(false);
    const w = l.tryWrite();
    expect(w).not.toBeNull();
    w!.unlock();
    l.drop();
  });

  it("readers and writers that return without unlocking release their locks", async () => {
    const l = new weft.RwLock(0);
    await weft.spawn([l.clone()], (l: any) => { l.read(); l.read(); }).join();
    await weft.spawn([l.clone()], (l: any) => { const g = l.write(); g.value = 5; }).join();
    expect(l.isPoisoned()).toBe(false);
    const w = l.tryWrite();
    expect(w).not.toBeNull();
    expect(w!.value).toBe(5);
    w!.unlock();
    l.drop();
  });
});

describe("RwLock: structured values through write guards", () => {
  it("a write guard that only reads writes nothing back (regression: it re-encoded every time)", () => {
    const l = new weft.RwLock({ list: Array.from({ length: 1000 }, (_, i) => i) });
    const before = weft.stats();
    for (let i = 0; i < 3; i++) { const w = l.write(); expect((w.value as any).list[999]).toBe(999); w.unlock(); }
    expect(weft.stats().heapBytes).toBe(before.heapBytes);
    expect(weft.stats().heapTop).toBe(before.heapTop);
    { const w = l.write(); (w.value as any).list.push(1000); w.unlock(); }
    { const r = l.read(); expect((r.value as any).list).toHaveLength(1001); r.unlock(); }
    l.drop();
  });
});
