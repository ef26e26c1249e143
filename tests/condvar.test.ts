import { describe, it, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";
import { waitUntilBlockedOn, recvOrError } from "./sync-wait";

useWeft(4);

describe("Condvar: semantics", () => {
  it("producers and consumers hand over exactly every item", async () => {
    const producers = 2, consumers = 2, perProducer = stress(2_000);
    const perConsumer = (producers * perProducer) / consumers;
    const stock = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const cs = Array.from({ length: consumers }, () => weft.spawn([stock.clone(), cv.clone(), perConsumer], (stock: any, cv: any, n: number) => {
      let got = 0;
      for (let i = 0; i < n; i++) {
        const g = stock.lock();
        cv.waitWhile(g, (s: number) => s === 0);
        g.value -= 1;
        got++;
        g.unlock();
      }
      return got;
    }));
    const ps = Array.from({ length: producers }, () => weft.spawn([stock.clone(), cv.clone(), perProducer], (stock: any, cv: any, n: number) => {
      for (let i = 0; i < n; i++) { const g = stock.lock(); g.value += 1; g.unlock(); cv.notifyOne(); }
    }));
    for (const p of ps) await p.join();
    const got = await Promise.all(cs.map((c) => c.join()));
    expect(got.reduce((a, b) => a + b, 0)).toBe(producers * perProducer);
    using g = stock.lock();
    expect(g.value).toBe(0);
  });

  it("notifyAll wakes every waiter", async () => {
    const waiters = 3;
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const arrived = new weft.Condvar();
    const hs = Array.from({ length: waiters }, () => weft.spawn([m.clone(), cv.clone(), arrived.clone()], (m: any, cv: any, arrived: any) => {
      const g = m.lock();
      g.value += 1;
      arrived.notifyAll();
      // A bounded wait: a waiter that notifyAll missed reports timedOut instead of hanging.
      const { timedOut } = cv.waitTimeoutWhile(g, 20_000, (v: number) => v < 1000);
      const v = g.value;
      g.unlock();
      return timedOut ? -1 : v;
    }));
    {
      // Every waiter has arrived once we see the count: each then released the lock only by
      // starting its wait, so all of them are waiting (or about to) when we notify.
      const g = m.lock();
      expect(arrived.waitTimeoutWhile(g, 20_000, (v) => v < waiters).timedOut).toBe(false);
      g.value = 1000;
      g.unlock();
    }
    cv.notifyAll();
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual(Array(waiters).fill(1000));
    m.drop();
    cv.drop();
    arrived.drop();
  });

  it("wait returns the same guard, holding the lock again; the value written meanwhile is seen", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = m.lock();
    const h = weft.spawn([m.clone(), cv.clone()], (m: any, cv: any) => {
      const g = m.lock(); g.value = 42; g.unlock(); cv.notifyOne();
    });
    const same = cv.waitWhile(g, (v) => v === 0);
    expect(same).toBe(g);
    expect(g.value).toBe(42);
    expect(m.tryLock()).toBeNull(); // held again
    g.unlock();
    await h.join();
    m.drop();
    cv.drop();
  });

  it("a structured value mutated before a wait is written back before the lock is released", async () => {
    const m = new weft.Mutex({ items: [] as number[] });
    const cv = new weft.Condvar();
    const g = m.lock();
    g.value.items.push(1); // cached in the guard; must reach the slot before the waiter lets go
    const h = weft.spawn([m.clone(), cv.clone()], (m: any, cv: any) => {
      const g = m.lock(); const seen = [...g.value.items]; g.value.items.push(2); g.unlock(); cv.notifyAll();
      return seen;
    });
    cv.waitWhile(g, (v) => v.items.length < 2);
    expect(g.value.items).toEqual([1, 2]);
    g.unlock();
    expect(await h.join()).toEqual([1]);
    m.drop();
    cv.drop();
  });

  it("waitWhile checks the condition first and does not wait when it is already false", () => {
    const m = new weft.Mutex(5);
    const cv = new weft.Condvar();
    using g = m.lock();
    let calls = 0;
    cv.waitWhile(g, (v) => { calls++; return v < 5; });
    expect(calls).toBe(1);
    expect(g.value).toBe(5);
  });

  it("waitWhile keeps waiting through notifications until the condition turns false", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = m.lock();
    const h = weft.spawn([m.clone(), cv.clone()], (m: any, cv: any) => {
      for (let i = 1; i <= 5; i++) { const g = m.lock(); g.value = i; g.unlock(); cv.notifyAll(); }
    });
    const seen: number[] = [];
    cv.waitWhile(g, (v) => { seen.push(v); return v < 5; });
    expect(g.value).toBe(5);
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    g.unlock();
    await h.join();
  });
});

describe("Condvar: timeouts", () => {
  it("waitTimeout times out without a notify, and the guard holds the lock again", () => {
    const m = new weft.Mutex(1);
    const cv = new weft.Condvar();
    const g = m.lock();
    const t0 = performance.now();
    const r = cv.waitTimeout(g, 20);
    expect(r.timedOut).toBe(true);
    expect(r.guard).toBe(g);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    expect(g.value).toBe(1);
    expect(m.tryLock()).toBeNull();
    expect(cv.waitTimeout(g, 0).timedOut).toBe(true);
    g.unlock();
    m.drop();
    cv.drop();
  });

  it("waitTimeout reports no timeout when notified in time", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = m.lock();
    const h = weft.spawn([m.clone(), cv.clone()], (m: any, cv: any) => {
      const g = m.lock(); g.value = 1; g.unlock(); cv.notifyOne();
    });
    // Spurious wake-ups are allowed: wait until the value changed, each wait bounded.
    let timedOut = false;
    while (g.value === 0 && !timedOut) timedOut = cv.waitTimeout(g, 20_000).timedOut;
    expect(timedOut).toBe(false);
    expect(g.value).toBe(1);
    g.unlock();
    await h.join();
  });

  it("waitTimeoutWhile times out when the condition stays true", () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    using g = m.lock();
    const t0 = performance.now();
    const r = cv.waitTimeoutWhile(g, 15, (v) => v === 0);
    expect(r.timedOut).toBe(true);
    expect(r.guard).toBe(g);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(10);
    expect(cv.waitTimeoutWhile(g, 15, (v) => v !== 0).timedOut).toBe(false);
  });

  it("negative or NaN timeouts are InvalidArgumentError and leave the guard locked", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = m.lock();
    expect(() => cv.waitTimeout(g, -1)).toThrow(weft.InvalidArgumentError);
    expect(() => cv.waitTimeoutWhile(g, NaN, () => true)).toThrow(weft.InvalidArgumentError);
    await expect(cv.waitAsync(g, { timeout: -5 })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    await expect(cv.waitTimeoutAsync(g, NaN)).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    expect(g.value).toBe(0);
    expect(m.tryLock()).toBeNull();
    g.unlock();
  });
});

describe("Condvar: async", () => {
  it("waitAsync releases the lock while waiting and resolves with the same guard after a notify", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = await m.lockAsync();
    const p = cv.waitAsync(g);
    expect(() => g.value).toThrow(weft.NotLockedError); // unusable while the wait is in progress
    const other = m.tryLock(); // the wait released the lock
    expect(other).not.toBeNull();
    other!.value = 7;
    other!.unlock();
    cv.notifyOne();
    expect(await p).toBe(g);
    expect(g.value).toBe(7);
    expect(m.tryLock()).toBeNull(); // held again
    g.unlock();
  });

  it("waitWhileAsync waits for a worker's updates", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = await m.lockAsync();
    const h = weft.spawn([m.clone(), cv.clone()], (m: any, cv: any) => {
      for (let i = 1; i <= 3; i++) { const g = m.lock(); g.value = i; g.unlock(); cv.notifyAll(); }
    });
    await cv.waitWhileAsync(g, (v) => v < 3);
    expect(g.value).toBe(3);
    g.unlock();
    await h.join();
  });

  it("async waiters on the main thread and blocking waiters in a worker are all woken by notifyAll", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const arrived = new weft.Condvar();
    const h = weft.spawn([m.clone(), cv.clone(), arrived.clone()], (m: any, cv: any, arrived: any) => {
      const g = m.lock();
      g.value += 1;
      arrived.notifyAll();
      const { timedOut } = cv.waitTimeoutWhile(g, 20_000, (v: number) => v < 100);
      g.unlock();
      return !timedOut;
    });
    const g1 = await m.lockAsync();
    g1.value += 1;
    const p1 = cv.waitWhileAsync(g1, (v) => v < 100, { timeout: 20_000 }); // releases the lock at once
    {
      const g = m.lock(); // g1 is suspended while its wait is in progress
      expect(arrived.waitTimeoutWhile(g, 20_000, (v) => v < 2).timedOut).toBe(false);
      g.value = 100;
      g.unlock();
    }
    cv.notifyAll();
    await p1; // relocked: release it before the worker (which must relock too) can finish
    expect(g1.value).toBe(100);
    g1.unlock();
    expect(await h.join()).toBe(true);
  });

  it("async_steals_wakeup: a parked waitAsync on a busy main thread does not take a blocked thread's notifyOne", async () => {
    // Bug: notifyOne woke one waiter, the notify queue is FIFO over async and blocking waiters,
    // so the waitAsync parked first took it while the main thread was blocked (below), and the
    // blocked thread slept although its condition had become true.
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = m.lock();
    const parked = cv.waitAsync(g); // releases the lock; its waitAsync is queued before this returns
    const [replyTx, replyRx] = weft.bounded(1);
    const blocked = weft.spawn([m.clone(), cv.clone(), replyTx], (m: any, cv: any, replyTx: any) => {
      const g = m.lock();
      while (g.value === 0) cv.wait(g);
      replyTx.send(g.value);
      g.unlock();
    });
    waitUntilBlockedOn(cv); // the thread sleeps (or is about to) behind the parked waitAsync
    { const g2 = m.lock(); g2.value = 5; g2.unlock(); }
    cv.notifyOne(); // one notify for the one thread whose condition now holds
    const got = recvOrError(replyRx, 10_000); // blocks the main thread: the waitAsync cannot act
    expect(await parked).toBe(g);
    expect(g.value).toBe(5);
    g.unlock();
    cv.notifyAll(); // (frees the thread if it was left asleep)
    await blocked.join();
    expect(got).toBe(5); // the blocked thread was woken while the main thread was blocked
    for (const x of [replyTx, replyRx]) x.close();
    m.drop();
    cv.drop();
  });

  it("waitTimeoutAsync times out; waitAsync with a timeout rejects with TimeoutError; the guard is held after both", async () => {
    const m = new weft.Mutex(3);
    const cv = new weft.Condvar();
    const g = m.lock();
    const r = await cv.waitTimeoutAsync(g, 10);
    expect(r.timedOut).toBe(true);
    expect(r.guard).toBe(g);
    expect(g.value).toBe(3);
    await expect(cv.waitAsync(g, { timeout: 5 })).rejects.toBeInstanceOf(weft.TimeoutError);
    expect(g.value).toBe(3);
    expect(m.tryLock()).toBeNull();
    g.unlock();
  });
});

describe("Condvar: poisoning", () => {
  it("a wait whose mutex was poisoned meanwhile throws PoisonError; intoInner gives back the held guard", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = m.lock();
    const h = weft.spawn([m.clone(), cv.clone()], (m: any, cv: any) => {
      const g = m.lock(); g.value = 1; cv.notifyAll(); throw new Error("boom"); // panics holding it
    });
    let caught: any;
    try { cv.waitWhile(g, (v) => v === 0); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(weft.PoisonError);
    expect(caught.intoInner()).toBe(g);
    expect(g.value).toBe(1); // the guard still holds the lock
    expect(m.tryLock()).toBeNull();
    g.unlock();
    await expect(h.join()).rejects.toBeInstanceOf(weft.ThreadPanic);
    expect(m.isPoisoned()).toBe(true);
  });

  it("an async wait sees the poison too, and waitTimeout's intoInner gives { guard, timedOut }", async () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    const g = await m.lockAsync();
    const h = weft.spawn([m.clone(), cv.clone()], (m: any, cv: any) => {
      const g = m.lock(); g.value = 1; cv.notifyAll(); throw new Error("boom");
    });
    const err: any = await cv.waitWhileAsync(g, (v) => v === 0).catch((e) => e);
    expect(err).toBeInstanceOf(weft.PoisonError);
    expect(err.intoInner()).toBe(g);
    expect(g.value).toBe(1);
    await h.join().catch(() => {});
    let caught: any;
    try { cv.waitTimeout(g, 0); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(weft.PoisonError);
    expect(caught.intoInner()).toEqual({ guard: g, timedOut: true });
    g.unlock();
  });
});

describe("Condvar: bad input", () => {
  it("waiting with something that is not a locked MutexGuard is a typed error", () => {
    const m = new weft.Mutex(0);
    const cv = new weft.Condvar();
    expect(() => cv.wait({} as any)).toThrow(weft.InvalidArgumentError);
    const rw = new weft.RwLock(0);
    const w = rw.write();
    expect(() => cv.wait(w as any)).toThrow(weft.InvalidArgumentError);
    w.unlock();
    const g = m.lock();
    g.unlock();
    expect(() => cv.wait(g)).toThrow(weft.NotLockedError);
    const g2 = m.lock();
    expect(() => cv.waitWhile(g2, 5 as any)).toThrow(weft.InvalidArgumentError);
    expect(g2.value).toBe(0); // still held and usable
    g2.unlock();
    rw.drop();
    m.drop();
    cv.drop();
  });

  it("use after drop is DroppedError; forged handles are InvalidHandleError", async () => {
    const cv = new weft.Condvar();
    const raw = cv.clone().intoRaw();
    const again = weft.Condvar.fromRaw(raw);
    again.notifyAll();
    again.drop();
    cv.drop();
    expect(() => cv.notifyOne()).toThrow(weft.DroppedError);
    expect(() => cv.notifyAll()).toThrow(weft.DroppedError);
    const m = new weft.Mutex(0);
    const g = m.lock();
    expect(() => cv.wait(g)).toThrow(weft.DroppedError);
    await expect(cv.waitAsync(g)).rejects.toBeInstanceOf(weft.DroppedError);
    expect(g.value).toBe(0); // untouched, still held
    g.unlock();
    expect(() => weft.Condvar.fromRaw(raw)).toThrow(weft.InvalidHandleError);
    expect(() => weft.Condvar.fromRaw({ ptr: 12345, gen: 1 })).toThrow(weft.InvalidHandleError);
    const mraw = m.clone().intoRaw();
    expect(() => weft.Condvar.fromRaw(mraw)).toThrow(weft.InvalidHandleError);
    weft.Mutex.fromRaw(mraw).drop();
    m.drop();
  });

  it("a condvar handle can be sent to other threads and is freed with its last handle", async () => {
    const cv = new weft.Condvar();
    const raw = { ptr: cv.ptr, gen: cv.gen };
    // The message takes its own reference; the thread's handle gives it back when the thread ends.
    expect(await weft.spawn([cv], (cv: any) => { cv.notifyAll(); return cv.constructor.name; }).join()).toBe("Condvar");
    expect(() => weft.Condvar.fromRaw(raw).intoRaw()).not.toThrow(); // still alive: ours remains
    cv.drop(); // the last reference
    expect(() => weft.Condvar.fromRaw(raw)).toThrow(weft.InvalidHandleError);
  });
});
