// WaitGroup: members vs references, the two spawn patterns, timeouts, async, bad input.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(2);

// First in the file: no spawned task has run yet, so no worker frees heap blocks concurrently.
test("WaitGroup: member tokens and the object are freed once every handle is gone", () => {
  const before = weft.stats().heapBlocks;
  const wg = new weft.WaitGroup();
  const m = new weft.Mutex(wg);           // the lock's slot holds a member token
  const m2 = new weft.Mutex(wg.clone());  // … and this one the clone's moved membership
  const c = wg.clone();
  expect(() => weft.spawn([c, () => 1], () => 0)).toThrow(weft.UnsupportedValueError); // token made, then dropped
  expect(c.isDropped).toBe(true); // the clone moved into the failed message
  expect(wg.count()).toBe(3);
  m.drop();
  m2.drop();
  expect(wg.count()).toBe(1);
  wg.drop();
  expect(weft.stats().heapBlocks).toBe(before);
});

describe("WaitGroup", () => {
  test("a lone member's wait returns at once; clones count as members", () => {
    const wg = new weft.WaitGroup();
    expect(wg.count()).toBe(1);
    const a = wg.clone();
    const b = a.clone();
    expect(wg.count()).toBe(3);
    expect(wg.waitTimeout(0)).toBe(false); // wg left; a and b remain
    expect(wg.isMember).toBe(false);
    expect(wg.count()).toBe(2);
    a.drop();
    b.drop();
    expect(wg.count()).toBe(0);
    wg.wait();
    wg.drop();
  });

  test("spawn([wg.clone()], …) with an explicit drop: wait returns after every task dropped", async () => {
    const n = stress(8);
    using wg = new weft.WaitGroup();
    using done = new weft.Mutex(0);
    const hs: { join(): Promise<unknown> }[] = [];
    for (let i = 0; i < n; i++) {
      hs.push(weft.spawn([wg.clone(), done], (wg, done) => {
        const g = done.lock(); g.value += 1; g.unlock();
        wg.drop();
      }));
    }
    wg.wait();
    const g = done.lock(); expect(g.value).toBe(n); g.unlock();
    await Promise.all(hs.map((h) => h.join()));
  });

  test("spawn([wg], …): the task's handle is a member until the task ends", async () => {
    const n = stress(8);
    using wg = new weft.WaitGroup();
    using done = new weft.Mutex(0);
    const hs = Array.from({ length: n }, () => weft.spawn([wg, done], (wg, done) => {
      const member = wg.isMember;
      const g = done.lock(); g.value += 1; g.unlock();
      return member;
    }));
    wg.wait();
    const g = done.lock(); expect(g.value).toBe(n); g.unlock();
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual(Array(n).fill(true));
  });

  test("many rounds of workers x members: every wait sees the exact total", async () => {
    const rounds = stress(20);
    using total = new weft.Mutex(0);
    for (let r = 1; r <= rounds; r++) {
      const wg = new weft.WaitGroup();
      const hs = [0, 1, 2, 3].map((i) => weft.spawn([wg.clone(), total, i], (wg, total, i) => {
        // Hand extra members to nested threads: each must finish before the group empties.
        // (Not joined here: the group alone says when the nested thread is done.)
        (globalThis as any).weft.spawn([wg.clone(), total], (w2: any, total: any) => {
          const g = total.lock(); g.value += 1; g.unlock(); w2.drop();
        });
        const g = total.lock(); g.value += 1; g.unlock();
        wg.drop();
        return i;
      }));
      // Async: the nested spawns may need the main thread to start workers, so it must not block.
      await wg.waitAsync();
      const g = total.lock(); expect(g.value).toBe(8 * r); g.unlock();
      wg.drop();
      expect(await Promise.all(hs.map((h) => h.join()))).toEqual([0, 1, 2, 3]);
    }
  });

  test("threads wait for the main thread's membership", async () => {
    using wg = new weft.WaitGroup();
    using flag = new weft.Mutex(0);
    const waiter = (wg: weft.WaitGroup, flag: weft.Mutex<number>) => {
      wg.wait();
      const g = flag.lock(); const v = g.value; g.unlock();
      return v;
    };
    const h1 = weft.spawn([wg.clone(), flag], waiter);
    const h2 = weft.spawn([wg, flag], waiter);
    const g = flag.lock(); g.value = 1; g.unlock();
    wg.drop();
    expect(await Promise.all([h1.join(), h2.join()])).toEqual([1, 1]);
  });

  test("waitTimeout is false while a member remains, true once it leaves", async () => {
    using wg = new weft.WaitGroup();
    using go = new weft.Semaphore(0);
    const h = weft.spawn([wg.clone(), go], (wg, go) => { go.acquire(); wg.drop(); });
    expect(wg.waitTimeout(5)).toBe(false);
    expect(wg.count()).toBe(1);
    go.release();
    expect(wg.waitTimeout(30_000)).toBe(true);
    await h.join();
  });

  test("waitAsync resolves when the members leave and rejects with TimeoutError before", async () => {
    using wg = new weft.WaitGroup();
    using go = new weft.Semaphore(0);
    const hs = [0, 1, 2].map(() => weft.spawn([wg, go], (wg, go) => { go.acquire(); }));
    await expect(wg.waitAsync({ timeout: 5 })).rejects.toBeInstanceOf(weft.TimeoutError);
    const waiting = wg.waitAsync();
    go.release(3);
    await waiting;
    expect(wg.count()).toBe(0);
    await Promise.all(hs.map((h) => h.join()));
  });

  test("a failed send leaves the member count as it was", () => {
    using wg = new weft.WaitGroup();
    expect(() => weft.spawn([wg, Symbol("no")], () => 0)).toThrow(weft.UnsupportedValueError);
    expect(wg.isMember).toBe(true);
    expect(wg.count()).toBe(1);
    expect(() => weft.spawn([wg.clone(), () => 1], () => 0)).toThrow(weft.UnsupportedValueError);
    expect(wg.count()).toBe(1);
  });

  test("sending a clone moves its membership; sending any other handle adds one", async () => {
    using wg = new weft.WaitGroup();
    using go = new weft.Semaphore(0);
    const c = wg.clone();
    expect(wg.count()).toBe(2);
    const h1 = weft.spawn([c, go], (w, go) => { go.acquire(); });
    expect(c.isDropped).toBe(true); // moved into the task, membership and reference
    expect(wg.count()).toBe(2);
    const h2 = weft.spawn([wg, go], (w, go) => { go.acquire(); });
    expect(wg.isMember).toBe(true); // still a member: the task got a new one
    expect(wg.count()).toBe(3);
    expect(() => weft.spawn([c], () => 0)).toThrow(weft.DroppedError);
    const d = wg.clone();
    expect(d.count()).toBe(4);
    expect(d.waitTimeout(0)).toBe(false); // d leaves: an observer now, so sending it adds a member
    const h3 = weft.spawn([d, go], (w, go) => { go.acquire(); });
    expect(d.isDropped).toBe(false);
    expect(wg.count()).toBe(4);
    go.release(3);
    wg.wait();
    expect(wg.count()).toBe(0);
    d.drop();
    await Promise.all([h1.join(), h2.join(), h3.join()]);
  });

  test("a WaitGroup stored in a lock: the slot is a member, each read a new one", () => {
    const wg = new weft.WaitGroup();
    const m = new weft.Mutex(wg);
    expect(wg.isMember).toBe(true);
    expect(wg.count()).toBe(2);
    const g = m.lock();
    const read = g.value;
    g.unlock();
    expect(read.isMember).toBe(true);
    expect(wg.count()).toBe(3);
    read.drop();
    expect(wg.count()).toBe(2);
    m.drop();
    expect(wg.count()).toBe(1);
    expect(wg.waitTimeout(0)).toBe(true);
    wg.drop();
  });

  test("intoRaw / fromRaw carry one member", () => {
    const wg = new weft.WaitGroup();
    const raw = wg.clone().intoRaw();
    expect(wg.count()).toBe(2);
    const back = weft.WaitGroup.fromRaw(raw);
    expect(back.isMember).toBe(true);
    back.drop();
    expect(wg.count()).toBe(1);
    wg.drop();
    expect(() => weft.WaitGroup.fromRaw(raw)).toThrow(weft.InvalidHandleError);
  });

  test("bad input: negative or NaN timeouts, use after drop, forged handles", async () => {
    const wg = new weft.WaitGroup();
    expect(() => wg.waitTimeout(-1)).toThrow(weft.InvalidArgumentError);
    await expect(wg.waitAsync({ timeout: NaN })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    expect(wg.isMember).toBe(true); // the rejected calls did not leave
    wg.drop();
    wg.drop(); // a second drop does nothing
    expect(() => wg.wait()).toThrow(weft.DroppedError);
    expect(() => wg.clone()).toThrow(weft.DroppedError);
    expect(() => weft.WaitGroup.fromRaw({ ptr: 12345, gen: 1 })).toThrow(weft.InvalidHandleError);
  });
});
