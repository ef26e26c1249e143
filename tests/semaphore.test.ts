// Semaphore: permits, bounded concurrency under contention, timeouts, async acquire, guards.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";
import { waitUntilSemWaiters, semWaitersWord, recvOrError } from "./sync-wait";

useWeft(2);

describe("Semaphore", () => {
  test("tryAcquire takes permits until none are left; release gives them back", () => {
    using s = new weft.Semaphore(2);
    expect(s.availablePermits()).toBe(2);
    expect(s.tryAcquire()).toBe(true);
    expect(s.tryAcquire()).toBe(true);
    expect(s.tryAcquire()).toBe(false);
    expect(s.availablePermits()).toBe(0);
    s.release();
    expect(s.availablePermits()).toBe(1);
    s.release(3);
    expect(s.availablePermits()).toBe(4);
    s.acquire();
    expect(s.availablePermits()).toBe(3);
  });

  test("Semaphore(2) never lets more than 2 threads in (6 threads x many ops, exact totals)", async () => {
    const ops = stress(300);
    using s = new weft.Semaphore(2);
    using inside = new weft.Mutex(0);
    using most = new weft.Mutex(0);
    using done = new weft.Mutex(0);
    const hs = [0, 1, 2, 3, 4, 5].map((i) => weft.spawn([s, inside, most, done, ops, i], (s, inside, most, done, ops, i) => {
      for (let k = 0; k < ops; k++) {
        // Mix the three blocking forms.
        if (k % 3 === 0) s.acquire();
        else if (k % 3 === 1) { while (!s.acquireTimeout(1)); }
        else { while (!s.tryAcquire()); }
        const g = inside.lock(); g.value += 1; const now = g.value; g.unlock();
        const m = most.lock(); if (now > m.value) m.value = now; m.unlock();
        const d = done.lock(); d.value += 1; d.unlock();
        const g2 = inside.lock(); g2.value -= 1; g2.unlock();
        if ((k + i) % 5 === 0) { s.release(); } else { s.release(1); }
      }
    }));
    await Promise.all(hs.map((h) => h.join()));
    const d = done.lock(); expect(d.value).toBe(6 * ops); d.unlock();
    const m = most.lock(); expect(m.value).toBeGreaterThanOrEqual(1); expect(m.value).toBeLessThanOrEqual(2); m.unlock();
    const g = inside.lock(); expect(g.value).toBe(0); g.unlock();
    expect(s.availablePermits()).toBe(2);
  });

  test("acquireTimeout returns false when no permit comes in time", () => {
    using s = new weft.Semaphore(0);
    expect(s.acquireTimeout(0)).toBe(false);
    expect(s.acquireTimeout(5)).toBe(false);
    expect(s.availablePermits()).toBe(0);
    s.release();
    expect(s.acquireTimeout(5)).toBe(true);
  });

  test("blocked threads are woken by release(n): one permit each", async () => {
    using s = new weft.Semaphore(0);
    using ready = new weft.Semaphore(0);
    const hs = [0, 1, 2].map(() => weft.spawn([s, ready], (s, ready) => { ready.release(); s.acquire(); return true; }));
    for (let i = 0; i < 3; i++) ready.acquire();
    s.release(3);
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual([true, true, true]);
    expect(s.availablePermits()).toBe(0);
  });

  test("acquireAsync waits for a permit released by another thread", async () => {
    using s = new weft.Semaphore(0);
    const p = s.acquireAsync();
    const h = weft.spawn([s], (s) => { s.release(); });
    await p;
    await h.join();
    expect(s.availablePermits()).toBe(0);
    s.release();
    await s.acquireAsync(); // immediate
    expect(s.availablePermits()).toBe(0);
  });

  test("acquireAsync rejects with TimeoutError and leaves the semaphore usable", async () => {
    using s = new weft.Semaphore(0);
    await expect(s.acquireAsync({ timeout: 5 })).rejects.toBeInstanceOf(weft.TimeoutError);
    s.release();
    expect(s.tryAcquire()).toBe(true);
    const h = weft.spawn([s], (s) => s.acquireTimeout(30_000));
    s.release();
    expect(await h.join()).toBe(true);
  });

  test("async acquirers and blocking acquirers share permits exactly", async () => {
    const n = stress(200);
    using s = new weft.Semaphore(0);
    const h = weft.spawn([s, n], (s, n) => { for (let i = 0; i < n; i++) s.acquire(); });
    const mine = Promise.all(Array.from({ length: n }, () => s.acquireAsync()));
    const rel = weft.spawn([s, n], (s, n) => { for (let i = 0; i < 2 * n; i++) s.release(); });
    await Promise.all([h.join(), mine, rel.join()]);
    expect(s.availablePermits()).toBe(0);
  });

  test("a permit guard gives its permit back at the end of the scope, once", async () => {
    using s = new weft.Semaphore(1);
    {
      using p = s.acquireGuard();
      expect(s.availablePermits()).toBe(0);
      expect(s.tryAcquire()).toBe(false);
      void p;
    }
    expect(s.availablePermits()).toBe(1);
    const p2 = await s.acquireGuardAsync();
    p2.release();
    p2.release(); // second release does nothing
    p2[Symbol.dispose]();
    expect(s.availablePermits()).toBe(1);
    const p3 = s.acquireGuard();
    p3.forget();
    p3.release();
    expect(s.availablePermits()).toBe(0);
    expect(() => weft.spawn([p2], () => 0)).toThrow(weft.NotSendError);
  });

  test("a permit guard keeps the semaphore alive after its handle is dropped", () => {
    const s = new weft.Semaphore(1);
    const probe = s.clone();
    const p = s.acquireGuard();
    s.drop();
    p.release();
    expect(probe.availablePermits()).toBe(1);
    probe.drop();
  });

  test("bad counts are rejected with InvalidArgumentError and change nothing", () => {
    for (const n of [-1, 1.5, NaN, Infinity, 2 ** 31, "1", undefined]) {
      expect(() => new weft.Semaphore(n as number)).toThrow(weft.InvalidArgumentError);
    }
    using s = new weft.Semaphore(2 ** 31 - 2);
    for (const c of [0, -1, 1.5, NaN, 2 ** 31]) expect(() => s.release(c)).toThrow(weft.InvalidArgumentError);
    s.release(1); // now at the maximum
    expect(() => s.release(1)).toThrow(weft.InvalidArgumentError); // would overflow
    expect(s.availablePermits()).toBe(2 ** 31 - 1);
  });

  test("async_steals_wakeup: a parked acquireAsync on a busy main thread does not take a blocked thread's wake-up", async () => {
    // Bug: release(1) woke one waiter, the notify queue is FIFO over async and blocking waiters,
    // so the acquireAsync parked first took it while the main thread was blocked (below), and the
    // blocked thread slept beside the free permit.
    const s = new weft.Semaphore(0);
    const parked = s.acquireAsync(); // its waitAsync is queued before this call returns
    waitUntilSemWaiters(s, 1);
    const [replyTx, replyRx] = weft.bounded(1);
    const blocked = weft.spawn([s, replyTx], (s: any, replyTx: any) => { s.acquire(); replyTx.send(1); });
    waitUntilSemWaiters(s, 2); // the thread sleeps (or is about to) behind the parked acquireAsync
    s.release(1); // one permit, one wake-up
    const got = recvOrError(replyRx, 10_000); // blocks the main thread: the acquireAsync cannot act
    s.release(1);
    await parked;
    await blocked.join();
    expect(got).toBe(1); // the blocked thread took the permit while the main thread was blocked
    expect(s.availablePermits()).toBe(0);
    for (const x of [replyTx, replyRx]) x.close();
    s.drop();
  });

  test("async_steals_wakeup with 300 parked acquireAsync ahead of a blocked thread: the thread gets the permit; then each async one gets its own", async () => {
    const k = 300; // more than the 8 bits the blocked threads count in
    const s = new weft.Semaphore(0);
    const parked = Array.from({ length: k }, () => s.acquireAsync());
    waitUntilSemWaiters(s, k);
    const [replyTx, replyRx] = weft.bounded(1);
    const blocked = weft.spawn([s, replyTx], (s: any, replyTx: any) => { s.acquire(); replyTx.send(1); });
    waitUntilSemWaiters(s, k + 1);
    s.release(1);
    const got = recvOrError(replyRx, 10_000);
    s.release(k);
    await Promise.all(parked);
    await blocked.join();
    expect(got).toBe(1);
    expect(s.availablePermits()).toBe(0);
    expect(semWaitersWord(s)).toBe(0); // every async acquire withdrew its announcement
    for (const x of [replyTx, replyRx]) x.close();
    s.drop();
  });

  test("negative or NaN timeouts are rejected", async () => {
    using s = new weft.Semaphore(1);
    expect(() => s.acquireTimeout(-1)).toThrow(weft.InvalidArgumentError);
    expect(() => s.acquireTimeout(NaN)).toThrow(weft.InvalidArgumentError);
    await expect(s.acquireAsync({ timeout: -1 })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    expect(s.availablePermits()).toBe(1);
  });

  test("use after drop throws DroppedError; forged raw handles throw InvalidHandleError", () => {
    const s = new weft.Semaphore(3);
    const raw = s.clone().intoRaw();
    s.drop();
    expect(() => s.tryAcquire()).toThrow(weft.DroppedError);
    expect(() => s.release()).toThrow(weft.DroppedError);
    const back = weft.Semaphore.fromRaw(raw);
    expect(back.availablePermits()).toBe(3);
    back.drop();
    expect(() => weft.Semaphore.fromRaw(raw)).toThrow(weft.InvalidHandleError);
    expect(() => weft.Semaphore.fromRaw({ ptr: 12345, gen: 1 })).toThrow(weft.InvalidHandleError);
  });
});
