// Barrier: one leader per generation, reuse across generations, withdrawable timed waits.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(2);

describe("Barrier", () => {
  test("a barrier of one party makes every wait return at once as the leader", () => {
    using b = new weft.Barrier(1);
    expect(b.parties).toBe(1);
    for (let i = 0; i < 5; i++) expect(b.wait().isLeader).toBe(true);
    expect(b.waitTimeout(0)).toEqual({ isLeader: true });
  });

  test("n threads pass together, exactly one of them the leader", async () => {
    using b = new weft.Barrier(3);
    const hs = [0, 1].map(() => weft.spawn([b], (b) => b.wait().isLeader));
    const mine = b.wait().isLeader;
    const theirs = await Promise.all(hs.map((h) => h.join()));
    expect([mine, ...theirs].filter((l) => l).length).toBe(1);
  });

  test("reusable: 4 threads for many rounds, exactly one leader per round, nobody runs ahead", async () => {
    const rounds = stress(300);
    using b = new weft.Barrier(4);
    using arrivals = new weft.Mutex(0);
    const hs = [0, 1, 2, 3].map(() => weft.spawn([b, arrivals, rounds], (b, arrivals, rounds) => {
      const led: number[] = [];
      let early = 0;
      for (let r = 0; r < rounds; r++) {
        const g = arrivals.lock(); g.value += 1; g.unlock();
        if (b.wait().isLeader) led.push(r);
        // Every thread's arrival of round r happened before anyone passes round r.
        const g2 = arrivals.lock(); if (g2.value < 4 * (r + 1)) early++; g2.unlock();
      }
      return { led, early };
    }));
    const results = await Promise.all(hs.map((h) => h.join()));
    const leaders = results.flatMap((r) => r.led).sort((a, b) => a - b);
    expect(leaders).toEqual(Array.from({ length: rounds }, (_, i) => i));
    expect(results.map((r) => r.early)).toEqual([0, 0, 0, 0]);
    const g = arrivals.lock(); expect(g.value).toBe(4 * rounds); g.unlock();
  });

  test("waitTimeout gives up with null and withdraws the arrival", () => {
    using b = new weft.Barrier(2);
    expect(b.waitTimeout(5)).toBeNull();
    // Had the first arrival stayed counted, this one would complete the generation as leader.
    expect(b.waitTimeout(1)).toBeNull();
  });

  test("a withdrawn arrival does not count: the generation still waits for all parties", async () => {
    using b = new weft.Barrier(2);
    expect(b.waitTimeout(2)).toBeNull();
    const h = weft.spawn([b], (b) => b.wait().isLeader);
    const mine = b.wait().isLeader;
    expect([mine, await h.join()].filter((l) => l).length).toBe(1);
  });

  test("timed waits racing with completion: no lost or doubled arrivals, one leader per generation", async () => {
    const rounds = stress(150);
    using b = new weft.Barrier(4);
    const hs = [0, 1, 2, 3].map((i) => weft.spawn([b, rounds, i], (b, rounds, i) => {
      let leaders = 0, timeouts = 0, attempt = 0;
      for (let r = 0; r < rounds; r++) {
        for (;;) {
          // Alternate 0 ms (arrive and withdraw at once unless completed) and 1 ms timed waits.
          const res = b.waitTimeout((attempt++ + i) % 2);
          if (res === null) { timeouts++; continue; }
          if (res.isLeader) leaders++;
          break;
        }
      }
      return { leaders, timeouts };
    }));
    const results = await Promise.all(hs.map((h) => h.join()));
    // Each generation takes exactly one counted arrival per thread, so there were `rounds` of them.
    expect(results.reduce((n, r) => n + r.leaders, 0)).toBe(rounds);
    expect(results.reduce((n, r) => n + r.timeouts, 0)).toBeGreaterThan(0); // withdrawals did happen
  });

  test("waitAsync completes a generation with threads that block", async () => {
    using b = new weft.Barrier(4);
    const hs = [0, 1, 2].map(() => weft.spawn([b], (b) => b.wait().isLeader));
    const mine = (await b.waitAsync()).isLeader;
    const theirs = await Promise.all(hs.map((h) => h.join()));
    expect([mine, ...theirs].filter((l) => l).length).toBe(1);
  });

  test("waitAsync can be the last arrival (leader) or an earlier one", async () => {
    using b = new weft.Barrier(2);
    const p1 = b.waitAsync();
    const p2 = b.waitAsync();
    const rs = await Promise.all([p1, p2]);
    expect(rs.map((r) => r.isLeader)).toEqual([false, true]);
  });

  test("waitAsync rejects with TimeoutError and withdraws the arrival", async () => {
    using b = new weft.Barrier(2);
    await expect(b.waitAsync({ timeout: 5 })).rejects.toBeInstanceOf(weft.TimeoutError);
    expect(b.waitTimeout(1)).toBeNull();
  });

  test("an async waiter is released by threads in a later call", async () => {
    using b = new weft.Barrier(3);
    const p = b.waitAsync({ timeout: 30_000 });
    const hs = [0, 1].map(() => weft.spawn([b], (b) => b.wait().isLeader));
    const all = [(await p).isLeader, ...(await Promise.all(hs.map((h) => h.join())))];
    expect(all.filter((l) => l).length).toBe(1);
  });

  test("a parked async waiter keeps the barrier alive after its handle is dropped", async () => {
    const b = new weft.Barrier(2);
    const p = b.waitAsync();
    const h = weft.spawn([b.clone()], (b) => b.wait().isLeader);
    b.drop();
    expect([(await p).isLeader, await h.join()].sort()).toEqual([false, true]);
  });

  test("bad party counts are rejected with InvalidArgumentError", () => {
    for (const n of [0, -1, 1.5, NaN, Infinity, 2 ** 31, "2", undefined]) {
      expect(() => new weft.Barrier(n as number)).toThrow(weft.InvalidArgumentError);
    }
  });

  test("negative or NaN timeouts are rejected and leave the barrier intact", async () => {
    using b = new weft.Barrier(2);
    expect(() => b.waitTimeout(-1)).toThrow(weft.InvalidArgumentError);
    expect(() => b.waitTimeout(NaN)).toThrow(weft.InvalidArgumentError);
    await expect(b.waitAsync({ timeout: -5 })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    // No arrival was recorded by the rejected calls.
    expect(b.waitTimeout(1)).toBeNull();
  });

  test("use after drop throws DroppedError; forged raw handles throw InvalidHandleError", () => {
    const b = new weft.Barrier(2);
    const c = b.clone();
    b.drop();
    expect(() => b.wait()).toThrow(weft.DroppedError);
    expect(c.parties).toBe(2);
    const raw = c.intoRaw();
    const d = weft.Barrier.fromRaw(raw);
    expect(d.parties).toBe(2);
    d.drop();
    expect(() => weft.Barrier.fromRaw(raw)).toThrow(weft.InvalidHandleError); // freed
    expect(() => weft.Barrier.fromRaw({ ptr: 12345, gen: 1 })).toThrow(weft.InvalidHandleError);
    using m = new weft.Mutex(0);
    const mraw = m.clone().intoRaw();
    expect(() => weft.Barrier.fromRaw(mraw)).toThrow(weft.InvalidHandleError); // wrong type
    weft.Mutex.fromRaw(mraw).drop();
  });
});
