// Channels, list flavor (unbounded numeric): crossbeam-channel's tests/list.rs names re-expressed
// (sleeps replaced by semaphores and the channels themselves), block boundaries, select over
// unbounded channels (fairness, fairness_duplicates, recv_in_send, a select stress), async forms
// and bad input. gh_971 (a lazily allocated first block) cannot arise: listInit allocates it.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";
import { waitUntilBlocked } from "./channel-wait";

useWeft(4);

/** A deterministic pseudo-random sequence (LCG) for test sizes. */
function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s % n; };
}

describe("channel (list flavor)", () => {
  test("smoke: try_send/try_recv, send/recv, then Empty and a recv_timeout Timeout", () => {
    const [tx, rx] = weft.unbounded();
    tx.trySend(7);
    expect(rx.tryRecv()).toBe(7);
    tx.send(8);
    expect(rx.recv()).toBe(8);
    let e: any;
    try { rx.tryRecv(); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.TryRecvError);
    expect(e.kind).toBe("Empty");
    try { rx.recvTimeout(5); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.RecvTimeoutError);
    expect(e.kind).toBe("Timeout");
    tx.close(); rx.close();
  });

  test("capacity: Infinity on both ends; never full", () => {
    const [tx, rx] = weft.unbounded();
    expect(tx.capacity).toBe(Infinity);
    expect(rx.capacity).toBe(Infinity);
    for (let i = 0; i < 100; i++) { tx.send(i); expect(tx.isFull()).toBe(false); }
    tx.close(); rx.close();
  });

  test("len_empty_full: len, isEmpty and isFull follow one message", () => {
    const [tx, rx] = weft.unbounded();
    for (const end of [tx, rx]) { expect(end.len).toBe(0); expect(end.isEmpty()).toBe(true); expect(end.isFull()).toBe(false); }
    tx.send(1);
    for (const end of [tx, rx]) { expect(end.len).toBe(1); expect(end.isEmpty()).toBe(false); expect(end.isFull()).toBe(false); }
    rx.recv();
    for (const end of [tx, rx]) { expect(end.len).toBe(0); expect(end.isEmpty()).toBe(true); expect(end.isFull()).toBe(false); }
    tx.close(); rx.close();
  });

  test("try_recv: Empty, then the message a thread sent, then Disconnected", async () => {
    const [tx, rx] = weft.unbounded();
    using step = new weft.Semaphore(0);
    using done = new weft.Semaphore(0);
    const h = weft.spawn([rx, step, done], (rx, step, done) => {
      const seen: unknown[] = [];
      const attempt = (): void => {
        try { seen.push(rx.tryRecv()); } catch (e: any) { seen.push(e.kind); }
      };
      attempt(); done.release(); step.acquire(); // Empty
      attempt(); done.release(); step.acquire(); // 7
      attempt();                                  // Disconnected
      return seen;
    });
    rx.close();
    done.acquire();
    tx.send(7);
    step.release();
    done.acquire();
    tx.close();
    step.release();
    expect(await h.join()).toEqual(["Empty", 7, "Disconnected"]);
  });

  test("recv: a blocked receiver gets 7, 8, 9 as they are sent, then RecvError", async () => {
    const [tx, rx] = weft.unbounded();
    using got = new weft.Semaphore(0);
    const h = weft.spawn([rx, got], (rx, got) => {
      const seen: unknown[] = [];
      for (let i = 0; i < 3; i++) { seen.push(rx.recv()); got.release(); }
      try { rx.recv(); } catch (e: any) { seen.push(e.name); }
      return seen;
    });
    rx.close();
    for (const v of [7, 8, 9]) { tx.send(v); got.acquire(); }
    tx.close();
    expect(await h.join()).toEqual([7, 8, 9, "RecvError"]);
  });

  test("recv_timeout: Timeout, then a message sent meanwhile, then Disconnected", async () => {
    const [tx, rx] = weft.unbounded({ of: "i32" });
    using timedOut = new weft.Semaphore(0);
    const h = weft.spawn([rx, timedOut], (rx, timedOut) => {
      const seen: unknown[] = [];
      try { rx.recvTimeout(5); } catch (e: any) { seen.push(e.kind); }
      timedOut.release();
      seen.push(rx.recvTimeout(30_000));
      try { rx.recvTimeout(30_000); } catch (e: any) { seen.push(e.kind); }
      return seen;
    });
    rx.close();
    timedOut.acquire();
    tx.send(7);
    tx.close();
    expect(await h.join()).toEqual(["Timeout", 7, "Disconnected"]);
  });

  test("try_send: 1000 messages fit; after the receiver drops, Disconnected with the value back", () => {
    const [tx, rx] = weft.unbounded();
    for (let i = 0; i < 1000; i++) tx.trySend(i);
    expect(rx.len).toBe(1000);
    rx.close();
    let e: any;
    try { tx.trySend(777); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.TrySendError);
    expect([e.kind, e.value]).toEqual(["Disconnected", 777]);
    tx.close();
  });

  test("send: 1000 messages never block; after the receiver drops, SendError with the value", () => {
    const [tx, rx] = weft.unbounded();
    for (let i = 0; i < 1000; i++) tx.send(i);
    rx.close();
    let e: any;
    try { tx.send(777); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.SendError);
    expect(e.value).toBe(777);
    tx.close();
  });

  test("send_timeout: every send succeeds at once (even with 0 ms); Disconnected after the receiver drops", () => {
    const [tx, rx] = weft.unbounded();
    for (let i = 0; i < 1000; i++) tx.sendTimeout(i, i % 3);
    expect(rx.len).toBe(1000);
    rx.close();
    let e: any;
    try { tx.sendTimeout(777, 0); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.SendTimeoutError);
    expect([e.kind, e.value]).toEqual(["Disconnected", 777]);
    tx.close();
  });

  test("send_after_disconnect: send, trySend and sendTimeout all fail with their values", () => {
    const [tx, rx] = weft.unbounded();
    tx.send(1); tx.send(2); tx.send(3);
    rx.close();
    let e: any;
    try { tx.send(4); } catch (x) { e = x; }
    expect([e.name, e.value]).toEqual(["SendError", 4]);
    try { tx.trySend(5); } catch (x) { e = x; }
    expect([e.name, e.kind, e.value]).toEqual(["TrySendError", "Disconnected", 5]);
    try { tx.sendTimeout(6, 0); } catch (x) { e = x; }
    expect([e.name, e.kind, e.value]).toEqual(["SendTimeoutError", "Disconnected", 6]);
    expect(tx.len).toBe(3);
    tx.close();
  });

  test("recv_after_disconnect: buffered messages outlive the senders, then RecvError", () => {
    const [tx, rx] = weft.unbounded();
    tx.send(1); tx.send(2); tx.send(3);
    tx.close();
    expect(rx.isDisconnected()).toBe(true);
    expect([rx.recv(), rx.recv(), rx.recv()]).toEqual([1, 2, 3]);
    expect(() => rx.recv()).toThrow(weft.RecvError);
    expect(() => rx.tryRecv()).toThrow(weft.TryRecvError);
    rx.close();
  });

  test("len: counts up to 50 and back down, on both ends", () => {
    const [tx, rx] = weft.unbounded();
    expect([tx.len, rx.len]).toEqual([0, 0]);
    for (let i = 0; i < 50; i++) { tx.send(i); expect(tx.len).toBe(i + 1); }
    for (let i = 0; i < 50; i++) { rx.recv(); expect(rx.len).toBe(50 - i - 1); }
    expect([tx.len, rx.len]).toEqual([0, 0]);
    tx.close(); rx.close();
  });

  test("block boundaries: 31, 32, 62 messages (and neighbours) in order, len exact at every step", () => {
    const [tx, rx] = weft.unbounded({ of: "u32" });
    let next = 0, expectNext = 0;
    for (const n of [31, 32, 62, 30, 1, 63, 93, 94, 31, 31, 2]) {
      for (let i = 0; i < n; i++) { tx.send(next++); expect(tx.len).toBe(i + 1); }
      for (let i = 0; i < n; i++) { expect(rx.recv()).toBe(expectNext++); expect(rx.len).toBe(n - i - 1); }
      expect(() => rx.tryRecv()).toThrow(weft.TryRecvError);
    }
    tx.close(); rx.close();
  });

  test("block boundaries: many laps of blocks with a constant backlog that straddles block ends", () => {
    const [tx, rx] = weft.unbounded({ of: "i32" });
    for (const backlog of [1, 30, 31, 32, 61, 62, 63]) {
      for (let i = 0; i < backlog; i++) tx.send(i);
      for (let i = backlog; i < backlog + 31 * 20; i++) {
        tx.send(i);
        expect(rx.recv()).toBe(i - backlog);
        expect(rx.len).toBe(backlog);
      }
      for (let i = 0; i < backlog; i++) rx.recv();
      expect(rx.len).toBe(0);
    }
    tx.close(); rx.close();
  });

  test("disconnect_wakes_receiver: a receiver blocked on an empty channel gets RecvError", async () => {
    const [tx, rx] = weft.unbounded();
    using ready = new weft.Semaphore(0);
    const hs = [0, 1].map(() => weft.spawn([rx, ready], (rx, ready) => {
      ready.release();
      try { rx.recv(); return "received"; } catch (e: any) { return e.name; }
    }));
    rx.close();
    ready.acquire(); ready.acquire();
    waitUntilBlocked(tx, "recv", 2); // both parked before the disconnection
    tx.close();
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual(["RecvError", "RecvError"]);
  });

  test("spsc: one producer, one consumer, every message in order, then RecvError", async () => {
    const n = stress(100_000);
    const [tx, rx] = weft.unbounded({ of: "i32" });
    const c = weft.spawn([rx, n], (rx, n) => {
      for (let i = 0; i < n; i++) { const v = rx.recv(); if (v !== i) return [false, i, v]; }
      try { rx.recv(); } catch (e: any) { return [true, e.name]; }
      return [false, "more"];
    });
    const p = weft.spawn([tx, n], (tx, n) => { for (let i = 0; i < n; i++) tx.send(i); });
    tx.close(); rx.close();
    await p.join();
    expect(await c.join()).toEqual([true, "RecvError"]);
  });

  test("mpmc: 3 producers x 3 consumers, every message received exactly once", async () => {
    const n = stress(25_000);
    const T = 3;
    const [tx, rx] = weft.unbounded({ of: "i32" });
    const counts = new weft.SharedArray(Int32Array, n);
    const consumers = Array.from({ length: T }, () => weft.spawn([rx, counts, n], (rx, counts, n) => {
      for (let k = 0; k < n; k++) Atomics.add(counts.array, rx.recv(), 1);
    }));
    const producers = Array.from({ length: T }, () => weft.spawn([tx, n], (tx, n) => {
      for (let i = 0; i < n; i++) tx.send(i);
    }));
    tx.close();
    await Promise.all([...producers, ...consumers].map((h) => h.join()));
    let e: any;
    try { rx.tryRecv(); } catch (x) { e = x; }
    expect(e.kind).toBe("Disconnected"); // drained, and every producer is gone
    expect(Array.from(counts.array).every((c) => c === T)).toBe(true);
    rx.close(); counts.drop();
  });

  test("stress_oneshot: a fresh channel per round, one thread receives what another sends", async () => {
    const rounds = stress(300);
    for (let i = 0; i < rounds; i++) {
      const [tx, rx] = weft.unbounded();
      const r = weft.spawn([rx], (rx) => rx.recv());
      const s = weft.spawn([tx, i], (tx, i) => { tx.send(i); });
      tx.close(); rx.close();
      await s.join();
      expect(await r.join()).toBe(i);
    }
  });

  test("stress_iter: request/response ping-pong, drained with tryRecv, iteration ends on disconnection", async () => {
    const n = stress(20_000);
    const [reqTx, reqRx] = weft.unbounded();
    const [resTx, resRx] = weft.unbounded();
    const h = weft.spawn([reqTx, resRx, n], (reqTx, resRx, n) => {
      let count = 0;
      for (;;) {
        for (;;) {
          let x: number;
          try { x = resRx.tryRecv(); } catch { break; } // Empty: ask for more
          count += x;
          if (count === n) { reqTx.close(); resRx.close(); return count; }
        }
        reqTx.send(0);
      }
    });
    reqTx.close(); resRx.close();
    let served = 0;
    for (const _ of reqRx) {
      try { resTx.send(1); served++; } catch { break; } // SendError: the requester is gone
    }
    expect(await h.join()).toBe(n);
    expect(served).toBeGreaterThanOrEqual(n);
    resTx.close(); reqRx.close();
  });

  test("stress_timeout_two_threads: short recv_timeout retries lose nothing and keep order", async () => {
    const n = stress(2000);
    const [tx, rx] = weft.unbounded();
    const p = weft.spawn([tx, n], (tx, n) => { for (let i = 0; i < n; i++) tx.send(i); });
    const c = weft.spawn([rx, n], (rx, n) => {
      let timeouts = 0;
      for (let i = 0; i < n; i++) {
        for (;;) {
          let v: number;
          try { v = rx.recvTimeout(1); } catch (e: any) { if (e.kind !== "Timeout") throw e; timeouts++; continue; }
          if (v !== i) return [false, i, v];
          break;
        }
      }
      return [true, timeouts >= 0]; // timeouts: how many retries a 1 ms wait needed (any number)
    });
    tx.close(); rx.close();
    await p.join();
    expect(await c.join()).toEqual([true, true]);
  });

  test("drops: exactly-once accounting — steps received, `additional` buffered, all blocks freed on drop", async () => {
    const rand = lcg(971);
    const runs = stress(20);
    const before = weft.stats();
    for (let run = 0; run < runs; run++) {
      const steps = rand(10_000);
      const additional = rand(1000);
      const [tx, rx] = weft.unbounded({ of: "u32" });
      const r = weft.spawn([rx, steps], (rx, steps) => {
        let sum = 0;
        for (let k = 0; k < steps; k++) sum += rx.recv();
        return sum;
      });
      const s = weft.spawn([tx, steps], (tx, steps) => { for (let k = 0; k < steps; k++) tx.send(k + 1); });
      await s.join();
      expect(await r.join()).toBe((steps * (steps + 1)) / 2);
      for (let k = 0; k < additional; k++) tx.trySend(k);
      expect(rx.len).toBe(additional);
      tx.close(); rx.close(); // the buffered messages go with the channel
    }
    expect(weft.stats().heapBytes).toBe(before.heapBytes);
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
  });

  test("drops: \"any\" messages with handles, received or dropped exactly once across blocks; the heap back to its baseline", async () => {
    const rand = lcg(2075);
    const runs = stress(8);
    const before = weft.stats();
    for (let run = 0; run < runs; run++) {
      const steps = rand(300);
      const additional = rand(100); // up to four blocks still linked when the channel drops
      const seen = new weft.SharedArray(Int32Array, steps + additional);
      const [tx, rx] = weft.unbounded({ of: "any" });
      const r = weft.spawn([rx, steps, seen], (rx, steps, seen) => {
        const w = (globalThis as any).weft;
        for (let k = 0; k < steps; k++) {
          const m = rx.recv() as any;
          if (m.a.load(w.Ordering.SeqCst) !== m.i) return `message ${m.i} carries ${m.a.load(w.Ordering.SeqCst)}`;
          Atomics.add(seen.array, m.i, 1);
          m.a.drop();
        }
        return "ok";
      });
      const s = weft.spawn([tx, steps], (tx, steps) => {
        const w = (globalThis as any).weft;
        for (let k = 0; k < steps; k++) { const a = new w.AtomicI32(k); tx.send({ i: k, a }); a.drop(); }
      });
      await s.join();
      expect(await r.join()).toBe("ok");
      for (let k = steps; k < steps + additional; k++) { const a = new weft.AtomicI32(k); tx.send({ i: k, a }); a.drop(); }
      expect(rx.len).toBe(additional);
      const counts = Array.from(seen.array);
      expect(counts.slice(0, steps).every((c) => c === 1)).toBe(true);
      expect(counts.slice(steps).every((c) => c === 0)).toBe(true);
      seen.drop();
      rx.close(); tx.close(); // receivers first this time: the last Sender's drop frees them
      expect(weft.stats().heapBytes).toBe(before.heapBytes);
      expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
    }
  });

  test("linearizable: 4 threads each send then try_recv; try_recv never sees Empty", async () => {
    const n = stress(25_000);
    const [tx, rx] = weft.unbounded();
    const hs = Array.from({ length: 4 }, () => weft.spawn([tx, rx, n], (tx, rx, n) => {
      for (let i = 0; i < n; i++) {
        tx.send(0);
        try { rx.tryRecv(); } catch (e: any) { return `${e.kind} at ${i}`; }
      }
      return "ok";
    }));
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual(["ok", "ok", "ok", "ok"]);
    expect(rx.len).toBe(0);
    tx.close(); rx.close();
  });

  test("fairness: a select over two always-ready unbounded channels takes each at least a quarter of the time", () => {
    const n = stress(10_000);
    const [s1, r1] = weft.unbounded();
    const [s2, r2] = weft.unbounded();
    for (let i = 0; i < n; i++) { s1.send(0); s2.send(0); }
    const hits = [0, 0];
    for (let i = 0; i < n; i++) hits[weft.select([weft.recv(r1), weft.recv(r2)]).index]++;
    for (const h of hits) expect(h).toBeGreaterThanOrEqual(n / hits.length / 2);
    expect(r1.len + r2.len).toBe(n);
    // Sends to unbounded channels are always ready: a select of two sends is fair as well.
    const sends = [0, 0];
    for (let i = 0; i < n; i++) sends[weft.select([weft.send(s1, 1), weft.send(s2, 1)]).index]++;
    for (const h of sends) expect(h).toBeGreaterThanOrEqual(n / sends.length / 2);
    expect(r1.len + r2.len).toBe(2 * n);
    for (const x of [s1, r1, s2, r2]) x.close();
  });

  test("fairness_duplicates: five receives of one unbounded channel in a select are each chosen fairly", () => {
    const n = stress(10_000);
    const [s, r] = weft.unbounded();
    for (let i = 0; i < n; i++) s.send(0);
    const hits = [0, 0, 0, 0, 0];
    const ops = hits.map(() => weft.recv(r));
    for (let i = 0; i < n; i++) hits[weft.select(ops).index]++;
    for (const h of hits) expect(h).toBeGreaterThanOrEqual(n / hits.length / 2);
    expect(r.isEmpty()).toBe(true);
    s.close(); r.close();
  });

  test("recv_in_send: the message of a selected send may be computed by a receive on the same channel", () => {
    const [s, r] = weft.unbounded();
    s.send(1);
    // crossbeam evaluates the message inside select!; JS evaluates it first: the same order of effects.
    expect(weft.select([weft.send(s, r.recv() + 1)])).toEqual({ index: 0, disconnected: false });
    expect(r.recv()).toBe(2);
    expect(r.isEmpty()).toBe(true);
    s.close(); r.close();
  });

  test("select stress: selecting senders and selecting receivers (blocking and async) over two unbounded channels; every message exactly once", async () => {
    const n = stress(4000);
    const P = 2;
    const [s1, r1] = weft.unbounded({ of: "i32" });
    const [s2, r2] = weft.unbounded({ of: "i32" });
    const counts = new weft.SharedArray(Int32Array, P * n);
    const producers = Array.from({ length: P }, (_, p) => weft.spawn([s1, s2, p, n], (s1, s2, p, n) => {
      const w = (globalThis as any).weft;
      for (let i = 0; i < n; i++) w.select([w.send(s1, p * n + i), w.send(s2, p * n + i)]);
    }));
    const consumers = [0, 1].map(() => weft.spawn([r1, r2, counts], (r1, r2, counts) => {
      const w = (globalThis as any).weft;
      const open = [true, true];
      let got = 0;
      while (open[0] || open[1]) {
        const which = [0, 1].filter((k) => open[k]);
        const res = w.select(which.map((k) => w.recv(k === 0 ? r1 : r2)));
        if (res.disconnected) open[which[res.index]] = false; else { Atomics.add(counts.array, res.value, 1); got++; }
      }
      return got;
    }));
    s1.close(); s2.close(); // the producers hold their own handles
    // The main thread consumes too, without blocking it.
    const open = [true, true];
    let mine = 0;
    while (open[0] || open[1]) {
      const which = [0, 1].filter((k) => open[k]);
      const res = await weft.selectAsync(which.map((k) => weft.recv(k === 0 ? r1 : r2)));
      if (res.disconnected) open[which[res.index]] = false; else { Atomics.add(counts.array, res.value, 1); mine++; }
    }
    await Promise.all(producers.map((h) => h.join()));
    const theirs = (await Promise.all(consumers.map((h) => h.join()))) as number[];
    expect(mine + theirs[0] + theirs[1]).toBe(P * n);
    expect(Array.from(counts.array).every((c) => c === 1)).toBe(true);
    r1.close(); r2.close(); counts.drop();
  });

  test("channel_through_channel: receivers travel (as raw ptr and gen numbers) down a chain of channels", async () => {
    const n = stress(1000);
    const before = weft.stats();
    const [tx, rx] = weft.unbounded();
    const a = weft.spawn([tx, n], (tx, n) => {
      const w = (globalThis as any).weft;
      let s = tx;
      for (let i = 0; i < n; i++) {
        const [ns, nr] = w.unbounded();
        const raw = nr.intoRaw(); // its reference travels in the two messages
        s.send(raw.ptr);
        s.send(raw.gen);
        s.close();
        s = ns;
      }
      s.send(-1);
      s.close();
    });
    const b = weft.spawn([rx, n], (rx, n) => {
      const w = (globalThis as any).weft;
      let r = rx;
      for (let i = 0; i < n; i++) {
        const ptr = r.recv();
        const gen = r.recv();
        r.close();
        r = w.Receiver.fromRaw({ ptr, gen });
      }
      const last = r.recv();
      r.close();
      return last;
    });
    tx.close(); rx.close();
    await a.join();
    expect(await b.join()).toBe(-1);
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
  });

  test("iteration: sync and async iteration drain the buffer and end on disconnection", async () => {
    const [tx, rx] = weft.mpsc.channel({ of: "u32" });
    for (let i = 0; i < 100; i++) tx.send(i);
    tx.close();
    expect([...rx]).toEqual(Array.from({ length: 100 }, (_, i) => i));
    rx.close();

    const [tx2, rx2] = weft.unbounded();
    const h = weft.spawn([tx2], (tx2) => { for (let i = 0; i < 70; i++) tx2.send(i * 2); });
    tx2.close();
    const got: number[] = [];
    for await (const v of rx2) got.push(v);
    await h.join();
    expect(got).toEqual(Array.from({ length: 70 }, (_, i) => i * 2));
    rx2.close();
  });

  test("async: recvAsync waits for a thread; concurrent recvAsync calls each get their own message", async () => {
    const [tx, rx] = weft.unbounded();
    const first = rx.recvAsync();
    const a = rx.recvAsync();
    const b = rx.recvAsync();
    const h = weft.spawn([tx], (tx) => { tx.send(1); tx.send(2); tx.send(3); });
    const got = await Promise.all([first, a, b]);
    await h.join();
    expect(got.sort()).toEqual([1, 2, 3]);
    await tx.sendAsync(4); // never waits
    expect(await rx.recvAsync()).toBe(4);
    tx.close(); rx.close();
  });

  test("async: timeouts and disconnection reject with typed errors; sendAsync after disconnection hands the value back", async () => {
    const [tx, rx] = weft.unbounded();
    await expect(rx.recvAsync({ timeout: 5 })).rejects.toMatchObject({ name: "RecvTimeoutError", kind: "Timeout" });
    const waiting = rx.recvAsync();
    tx.close();
    await expect(waiting).rejects.toBeInstanceOf(weft.RecvError);
    await expect(rx.recvAsync({ timeout: 5 })).rejects.toMatchObject({ name: "RecvTimeoutError", kind: "Disconnected" });
    rx.close();

    const [tx2, rx2] = weft.unbounded();
    rx2.close();
    await expect(tx2.sendAsync(3)).rejects.toMatchObject({ name: "SendError", value: 3 });
    await expect(tx2.sendAsync(4, { timeout: 5 })).rejects.toMatchObject({ name: "SendTimeoutError", kind: "Disconnected", value: 4 });
    tx2.close();
  });

  test("async and blocking consumers share the messages exactly", async () => {
    const n = stress(5000);
    const [tx, rx] = weft.unbounded();
    const p = weft.spawn([tx, n], (tx, n) => { for (let k = 1; k <= n; k++) tx.send(k); });
    const c = weft.spawn([rx], (rx) => { let s = 0, m = 0; for (const v of rx) { s += v; m++; } return [s, m]; });
    tx.close();
    let s = 0, m = 0;
    for await (const v of rx) { s += v; m++; }
    rx.close();
    await p.join();
    const [s2, m2] = (await c.join()) as [number, number];
    expect(m + m2).toBe(n);
    expect(s + s2).toBe((n * (n + 1)) / 2);
  });

  test("async_steals_wakeup (bug: a parked recvAsync of a busy thread took the only wake-up of a blocked receiver)", async () => {
    const [tx, rx] = weft.unbounded();
    const [replyTx, replyRx] = weft.unbounded();
    const parked = rx.recvAsync();
    waitUntilBlocked(rx, "recv", 1); // the async receive is parked (announced)
    const worker = weft.spawn([rx, replyTx], (rx, replyTx) => { replyTx.send(rx.recv()); });
    waitUntilBlocked(rx, "recv", 2); // and the thread's receive behind it
    const sender = weft.spawn([tx], (tx) => { tx.send(5); });
    expect(replyRx.recvTimeout(10_000)).toBe(5); // the thread was woken although the async waiter came first
    await Promise.all([worker.join(), sender.join()]);
    tx.send(6);
    expect(await parked).toBe(6);
    for (const x of [tx, rx, replyTx, replyRx]) x.close();
  });

  test("mpsc.channel is unbounded; handles clone and close per side, both gone frees the channel", () => {
    const before = weft.stats().heapBlocks;
    const [tx, rx] = weft.mpsc.channel();
    expect(tx.capacity).toBe(Infinity);
    const tx2 = tx.clone();
    tx.close();
    tx2.send(1);
    expect(rx.isDisconnected()).toBe(false);
    tx2.close();
    expect(rx.isDisconnected()).toBe(true);
    expect(rx.recv()).toBe(1);
    rx.close();
    expect(weft.stats().heapBlocks).toBe(before);
  });

  test("bad input: payload kinds and values — typed errors, nothing sent", () => {
    const [btx, brx] = weft.unbounded({ of: "bytes" }); // block payloads work on lists too
    btx.send(new Uint8Array([1, 2, 3]));
    expect(() => btx.send(5 as any)).toThrow(weft.UnsupportedValueError);
    expect([...brx.recv()]).toEqual([1, 2, 3]);
    btx.close(); brx.close();
    expect(() => weft.unbounded({ of: "f32" as any })).toThrow(weft.InvalidArgumentError);
    expect(() => weft.mpsc.channel({ of: "x" as any })).toThrow(weft.InvalidArgumentError);
    const [tx, rx] = weft.unbounded({ of: "i32" });
    expect(() => tx.send("a" as any)).toThrow(weft.UnsupportedValueError);
    expect(() => tx.send(1.5)).toThrow(weft.InvalidArgumentError);
    expect(() => tx.trySend(2 ** 31)).toThrow(weft.InvalidArgumentError);
    expect(() => tx.sendTimeout(1, -1)).toThrow(weft.InvalidArgumentError);
    expect(() => rx.recvTimeout(NaN)).toThrow(weft.InvalidArgumentError);
    expect(tx.len).toBe(0);
    tx.send(-(2 ** 31));
    expect(rx.recv()).toBe(-(2 ** 31));
    tx.close(); rx.close();
    expect(() => tx.send(1)).toThrow(weft.DroppedError);
  });
});
