// Channels, array flavor (bounded): crossbeam-channel's tests/array.rs, every test by its name
// (sleeps replaced by semaphores, the channels themselves, and waitUntilBlocked where a peer must
// be parked first), plus the async ladder and bad input. panic_on_drop does not apply: a weft
// message has no destructor that could throw (a dropped message only frees memory and handles).
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";
import { waitUntilBlocked, spinUntil } from "./channel-wait";

useWeft(4);

/** A deterministic pseudo-random sequence (LCG) for test sizes. */
function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s % n; };
}

describe("channel (array flavor)", () => {
  test("smoke: try_recv and recv take what was sent, then Empty and a recv_timeout Timeout", () => {
    const [tx, rx] = weft.bounded(1);
    tx.send(7);
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

  test("capacity: exactly cap messages fit, for several capacities; laps wrap", () => {
    for (const cap of [1, 2, 3, 10, 1000]) {
      const [tx, rx] = weft.bounded(cap);
      expect(tx.capacity).toBe(cap);
      expect(rx.capacity).toBe(cap);
      for (let lap = 0; lap < 3; lap++) {
        for (let i = 0; i < cap; i++) tx.trySend(lap * cap + i);
        expect(tx.isFull()).toBe(true);
        let err: any;
        try { tx.trySend(-1); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(weft.TrySendError);
        expect(err.kind).toBe("Full");
        expect(err.value).toBe(-1);
        for (let i = 0; i < cap; i++) expect(rx.tryRecv()).toBe(lap * cap + i);
        expect(rx.isEmpty()).toBe(true);
      }
      tx.close(); rx.close();
    }
  });

  test("len_empty_full: len, isEmpty and isFull on both ends through empty, half, full and back", () => {
    const [tx, rx] = weft.bounded(2);
    const check = (len: number, empty: boolean, full: boolean): void => {
      for (const end of [tx, rx]) {
        expect(end.len).toBe(len);
        expect(end.isEmpty()).toBe(empty);
        expect(end.isFull()).toBe(full);
      }
    };
    check(0, true, false);
    tx.send(0);
    check(1, false, false);
    tx.send(0);
    check(2, false, true);
    rx.recv();
    check(1, false, false);
    tx.close(); rx.close();
  });

  test("try_recv: Empty, then the message a thread sent, then Disconnected", async () => {
    const [tx, rx] = weft.bounded(100);
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

  test("recv: a receiver blocked on an empty channel gets 7, 8, 9 as they are sent, then RecvError", async () => {
    const [tx, rx] = weft.bounded(100);
    using got = new weft.Semaphore(0);
    const h = weft.spawn([rx, got], (rx, got) => {
      const seen: unknown[] = [];
      for (let i = 0; i < 3; i++) { seen.push(rx.recv()); got.release(); }
      try { rx.recv(); } catch (e: any) { seen.push(e.name); }
      return seen;
    });
    waitUntilBlocked(rx, "recv"); // the first recv is parked before anything is sent
    rx.close();
    for (const v of [7, 8, 9]) { tx.send(v); got.acquire(); }
    waitUntilBlocked(tx, "recv"); // the fourth recv is parked before the disconnection
    tx.close();
    expect(await h.join()).toEqual([7, 8, 9, "RecvError"]);
  });


  test("try_send / try_recv: Empty, Full and Disconnected, values handed back", () => {
    const [tx, rx] = weft.bounded(1, { of: "i32" });
    let e: any;
    try { rx.tryRecv(); } catch (x) { e = x; }
    expect(e.kind).toBe("Empty");
    tx.trySend(1);
    try { tx.trySend(2); } catch (x) { e = x; }
    expect([e.kind, e.value]).toEqual(["Full", 2]);
    tx.close();
    expect(rx.isDisconnected()).toBe(true);
    expect(rx.tryRecv()).toBe(1); // buffered messages outlive the senders
    try { rx.tryRecv(); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.TryRecvError);
    expect(e.kind).toBe("Disconnected");
    rx.close();

    const [tx2, rx2] = weft.bounded(2);
    rx2.close();
    try { tx2.trySend(5); } catch (x) { e = x; }
    expect([e.kind, e.value]).toEqual(["Disconnected", 5]);
    tx2.close();
  });

  test("recv_timeout: Timeout on an empty channel, a value from a thread, Disconnected at the end", async () => {
    const [tx, rx] = weft.bounded(1);
    let e: any;
    try { rx.recvTimeout(5); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.RecvTimeoutError);
    expect(e.kind).toBe("Timeout");
    try { rx.recvTimeout(0); } catch (x) { e = x; }
    expect(e.kind).toBe("Timeout");
    const h = weft.spawn([tx], (tx) => { tx.send(42); });
    tx.close();
    expect(rx.recvTimeout(30_000)).toBe(42);
    await h.join();
    try { rx.recvTimeout(30_000); } catch (x) { e = x; }
    expect(e.kind).toBe("Disconnected");
    rx.close();
  });

  test("send_timeout: Timeout on a full channel with the value back, then room made by a thread", async () => {
    const [tx, rx] = weft.bounded(1);
    tx.send(1);
    let e: any;
    try { tx.sendTimeout(2, 5); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.SendTimeoutError);
    expect([e.kind, e.value]).toEqual(["Timeout", 2]);
    const h = weft.spawn([rx], (rx) => [rx.recv(), rx.recv()]);
    tx.sendTimeout(3, 30_000);
    expect(await h.join()).toEqual([1, 3]);
    rx.close(); // the thread's receiver handle was dropped when it ended: no receiver is left
    try { tx.sendTimeout(4, 30_000); } catch (x) { e = x; }
    expect([e.kind, e.value]).toEqual(["Disconnected", 4]);
    tx.close();
  });

  test("try_send: Full while the message waits, room after a try_recv, Disconnected once the receiver is gone", async () => {
    const [tx, rx] = weft.bounded(1);
    using full = new weft.Semaphore(0);
    using room = new weft.Semaphore(0);
    using gone = new weft.Semaphore(0);
    const r = weft.spawn([rx, full, room, gone], (rx, full, room, gone) => {
      const seen: unknown[] = [];
      full.acquire();
      seen.push(rx.tryRecv());
      try { rx.tryRecv(); } catch (e: any) { seen.push(e.kind); }
      room.release();
      seen.push(rx.recv());
      rx.close(); // the last Receiver
      gone.release();
      return seen;
    });
    rx.close();
    const seen: unknown[] = [];
    const attempt = (v: number): void => {
      try { tx.trySend(v); seen.push("ok"); } catch (e: any) { seen.push([e.kind, e.value]); }
    };
    attempt(1);
    attempt(2);
    full.release();
    room.acquire();
    attempt(3);
    gone.acquire();
    attempt(4);
    expect(seen).toEqual(["ok", ["Full", 2], "ok", ["Disconnected", 4]]);
    expect(await r.join()).toEqual([1, "Empty", 3]);
    tx.close();
  });

  test("send: a sender blocks while the channel is full and goes on as each message is received", async () => {
    const [tx, rx] = weft.bounded(1);
    const sent = new weft.AtomicI32(0);
    const h = weft.spawn([tx, sent], (tx, sent) => {
      const w = (globalThis as any).weft;
      for (const v of [7, 8, 9, 10]) { tx.send(v); sent.fetchAdd(1, w.Ordering.SeqCst); }
    });
    tx.close();
    for (const [v, before] of [[7, 1], [8, 2], [9, 3]]) {
      // Once `before` sends returned, every earlier sleep was withdrawn: a waiter now is the next send.
      spinUntil(() => sent.load(weft.Ordering.SeqCst) === before, `send ${before}`);
      waitUntilBlocked(rx, "send"); // the next send is parked on the full channel
      expect(sent.load(weft.Ordering.SeqCst)).toBe(before);
      expect(rx.isFull()).toBe(true);
      expect(rx.recv()).toBe(v);
    }
    await h.join();
    expect(sent.load(weft.Ordering.SeqCst)).toBe(4);
    expect(rx.recv()).toBe(10); // the last one fitted
    expect(() => rx.recv()).toThrow(weft.RecvError);
    rx.close(); sent.drop();
  });

  test("send_after_disconnect: send, try_send and send_timeout all fail with their values; buffered ones stay", () => {
    const [tx, rx] = weft.bounded(100);
    tx.send(1); tx.send(2); tx.send(3);
    rx.close();
    let e: any;
    try { tx.send(4); } catch (x) { e = x; }
    expect([e.name, e.value]).toEqual(["SendError", 4]);
    try { tx.trySend(5); } catch (x) { e = x; }
    expect([e.name, e.kind, e.value]).toEqual(["TrySendError", "Disconnected", 5]);
    try { tx.sendTimeout(6, 5); } catch (x) { e = x; }
    expect([e.name, e.kind, e.value]).toEqual(["SendTimeoutError", "Disconnected", 6]);
    expect(tx.len).toBe(3);
    tx.close();
  });

  test("recv_after_disconnect: buffered messages outlive the senders (recv and iteration), then RecvError", () => {
    const [tx, rx] = weft.bounded(100);
    tx.send(1); tx.send(2); tx.send(3);
    tx.close();
    expect(rx.isDisconnected()).toBe(true);
    expect([rx.recv(), rx.recv(), rx.recv()]).toEqual([1, 2, 3]);
    expect(() => rx.recv()).toThrow(weft.RecvError);
    rx.close();

    const [tx2, rx2] = weft.mpsc.syncChannel(4, { of: "u32" });
    for (const v of [1, 2, 3, 0xFFFFFFFF]) tx2.send(v);
    tx2.close();
    expect([...rx2]).toEqual([1, 2, 3, 0xFFFFFFFF]);
    expect(() => rx2.recv()).toThrow(weft.RecvError);
    expect(() => rx2.tryRecv()).toThrow(weft.TryRecvError);
    rx2.close();
  });


  test("disconnect_wakes_sender: a sender parked on a full channel gets SendError with its value", async () => {
    const [tx, rx] = weft.bounded(1);
    tx.send(1);
    const h = weft.spawn([tx], (tx) => {
      try { tx.send(2); return "sent"; } catch (e: any) { return [e.name, e.value]; }
    });
    waitUntilBlocked(rx, "send");
    rx.close();
    expect(await h.join()).toEqual(["SendError", 2]);
    expect(tx.isDisconnected()).toBe(true);
    expect(tx.len).toBe(1); // the buffered message stays until the channel goes
    tx.close();
  });

  test("disconnect_wakes_receiver: parked receivers see RecvError once the last sender (of clones) drops", async () => {
    const [tx, rx] = weft.bounded(4);
    const hs = [0, 1].map(() => weft.spawn([rx], (rx) => {
      const got: number[] = [];
      for (;;) {
        try { got.push(rx.recv()); } catch (e: any) { return [got, e.name]; }
      }
    }));
    rx.close();
    waitUntilBlocked(tx, "recv", 2);
    const tx2 = tx.clone();
    tx.send(10);
    tx.close();
    expect(tx2.isDisconnected()).toBe(false); // a clone still holds the sending side
    tx2.send(20);
    spinUntil(() => tx2.isEmpty(), "both messages received");
    waitUntilBlocked(tx2, "recv", 2); // both parked again
    tx2.close();
    const rs = (await Promise.all(hs.map((h) => h.join()))) as [number[], string][];
    expect(rs.map((r) => r[1])).toEqual(["RecvError", "RecvError"]);
    expect(rs.flatMap((r) => r[0]).sort((a, b) => a - b)).toEqual([10, 20]);
  });

  test("len: exact on one thread across laps of a 1000-slot ring; never above capacity on two threads", async () => {
    const cap = 1000;
    const n = stress(25_000);
    const [tx, rx] = weft.bounded(cap, { of: "i32" });
    expect([tx.len, rx.len]).toEqual([0, 0]);
    for (let lap = 0; lap < cap / 10; lap++) {
      for (let i = 0; i < 50; i++) { tx.send(i); expect(tx.len).toBe(i + 1); }
      for (let i = 0; i < 50; i++) { rx.recv(); expect(rx.len).toBe(50 - i - 1); }
    }
    expect([tx.len, rx.len]).toEqual([0, 0]);
    for (let i = 0; i < cap; i++) { tx.send(i); expect(tx.len).toBe(i + 1); }
    for (let i = 0; i < cap; i++) rx.recv();
    expect([tx.len, rx.len]).toEqual([0, 0]);
    const c = weft.spawn([rx, n, cap], (rx, n, cap) => {
      for (let i = 0; i < n; i++) {
        const v = rx.recv();
        if (v !== i) return `received ${v} for ${i}`;
        const len = rx.len;
        if (len < 0 || len > cap) return `len ${len}`;
      }
      return "ok";
    });
    const p = weft.spawn([tx, n, cap], (tx, n, cap) => {
      for (let i = 0; i < n; i++) {
        tx.send(i);
        const len = tx.len;
        if (len < 0 || len > cap) return `len ${len}`;
      }
      return "ok";
    });
    expect(await Promise.all([c.join(), p.join()])).toEqual(["ok", "ok"]);
    expect([tx.len, rx.len]).toEqual([0, 0]);
    tx.close(); rx.close();
  });

  test("len: follows sends and receives across many laps of a small ring", () => {
    const [tx, rx] = weft.bounded(3);
    let expected = 0;
    for (let i = 0; i < 50; i++) {
      if (i % 4 !== 3 && expected < 3) { tx.send(i); expected++; } else if (expected > 0) { rx.recv(); expected--; }
      expect(tx.len).toBe(expected);
      expect(rx.len).toBe(expected);
      expect(rx.isEmpty()).toBe(expected === 0);
      expect(tx.isFull()).toBe(expected === 3);
    }
    tx.close(); rx.close();
  });

  test("spsc: one producer, one consumer over bounded(3), every message in order, then RecvError", async () => {
    const n = stress(20_000);
    const [tx, rx] = weft.bounded(3, { of: "i32" });
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

  test("mpmc: 4 producers x 4 consumers over bounded(3), every message received exactly once per producer", async () => {
    const n = stress(5000);
    const T = 4;
    const [tx, rx] = weft.bounded(3, { of: "i32" });
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

  test("stress_oneshot: a fresh bounded(1) per round, one thread receives what another sends", async () => {
    const rounds = stress(200);
    for (let i = 0; i < rounds; i++) {
      const [tx, rx] = weft.bounded(1);
      const r = weft.spawn([rx], (rx) => rx.recv());
      const s = weft.spawn([tx, i], (tx, i) => { tx.send(i); });
      tx.close(); rx.close();
      await s.join();
      expect(await r.join()).toBe(i);
    }
  });

  test("stress_iter: request/response ping-pong over two bounded(1), drained with tryRecv, iteration ends on disconnection", async () => {
    const n = stress(10_000);
    const [reqTx, reqRx] = weft.bounded(1);
    const [resTx, resRx] = weft.bounded(1);
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

  test("stress_timeout_two_threads: send_timeout and recv_timeout retries lose nothing and keep order; forced timeouts on both sides", async () => {
    const n = Math.ceil(stress(200) / 10) * 10; // whole rounds of 10: every gate below is opened
    const [tx, rx] = weft.bounded(2, { of: "i32" });
    using emptyGate = new weft.Semaphore(0);
    using fullGate = new weft.Semaphore(0);
    const p = weft.spawn([tx, n, emptyGate, fullGate], (tx, n, emptyGate, fullGate) => {
      let retries = 0;
      for (let i = 0; i < n; i++) {
        if (i % 10 === 0) emptyGate.acquire(); // the receiver times out on the empty channel first
        if (i % 10 === 7) {
          // The receiver waits at fullGate before taking i - 2: i - 2 and i - 1 fill the ring.
          try { tx.sendTimeout(i, 1); return `no Timeout at ${i}`; } catch (e: any) { if (e.kind !== "Timeout" || e.value !== i) throw e; }
          fullGate.release();
        }
        for (;;) {
          try { tx.sendTimeout(i, 1); break; } catch (e: any) { if (e.kind !== "Timeout") throw e; retries++; }
        }
      }
      return retries >= 0 ? "ok" : "never";
    });
    const c = weft.spawn([rx, n, emptyGate, fullGate], (rx, n, emptyGate, fullGate) => {
      for (let i = 0; i < n; i++) {
        if (i % 10 === 0) {
          // Everything before i was received and the sender waits at emptyGate: empty.
          try { rx.recvTimeout(1); return `no Timeout at ${i}`; } catch (e: any) { if (e.kind !== "Timeout") throw e; }
          emptyGate.release();
        }
        if (i % 10 === 5) fullGate.acquire();
        for (;;) {
          let v: number;
          try { v = rx.recvTimeout(1); } catch (e: any) { if (e.kind !== "Timeout") throw e; continue; }
          if (v !== i) return `received ${v} for ${i}`;
          break;
        }
      }
      return "ok";
    });
    tx.close(); rx.close();
    expect(await Promise.all([p.join(), c.join()])).toEqual(["ok", "ok"]);
  });

  test("drops: every message received or dropped exactly once; buffered messages and their handles freed with the channel", async () => {
    const rand = lcg(50);
    const runs = stress(10);
    const before = weft.stats();
    for (let run = 0; run < runs; run++) {
      const steps = rand(400);
      const additional = rand(50);
      const seen = new weft.SharedArray(Int32Array, steps + additional); // receptions per message
      const [tx, rx] = weft.bounded(50, { of: "any" });
      // Each message owns a fresh AtomicI32 (its only other reference is dropped by the sender):
      // its memory comes back only if the message is received and dropped, or dropped with the channel.
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
        for (let k = 0; k < steps; k++) {
          const a = new w.AtomicI32(k);
          tx.send({ i: k, a });
          a.drop();
        }
      });
      await s.join();
      expect(await r.join()).toBe("ok");
      for (let k = steps; k < steps + additional; k++) {
        const a = new weft.AtomicI32(k);
        tx.send({ i: k, a });
        a.drop();
      }
      expect(rx.len).toBe(additional);
      const counts = Array.from(seen.array);
      expect(counts.slice(0, steps).every((c) => c === 1)).toBe(true); // received once
      expect(counts.slice(steps).every((c) => c === 0)).toBe(true); // never received: dropped below
      seen.drop();
      tx.close(); rx.close(); // the buffered messages go with the channel, their handles too
      expect(weft.stats().heapBytes).toBe(before.heapBytes);
      expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
    }
  });

  test("linearizable: 4 threads each send then try_recv on bounded(4); try_recv never sees Empty", async () => {
    const n = stress(10_000);
    const [tx, rx] = weft.bounded(4);
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

  test("fairness: a select over two always-ready channels takes each at least a quarter of the time", () => {
    const n = stress(10_000);
    const [s1, r1] = weft.bounded(n);
    const [s2, r2] = weft.bounded(n);
    for (let i = 0; i < n; i++) { s1.send(0); s2.send(0); }
    const hits = [0, 0];
    for (let i = 0; i < n; i++) hits[weft.select([weft.recv(r1), weft.recv(r2)]).index]++;
    for (const h of hits) expect(h).toBeGreaterThanOrEqual(n / hits.length / 2);
    expect(r1.len + r2.len).toBe(n);
    for (const x of [s1, r1, s2, r2]) x.close();
  });

  test("fairness_duplicates: five receives of one channel in a select are each chosen fairly", () => {
    const n = stress(10_000);
    const [s, r] = weft.bounded(n);
    for (let i = 0; i < n; i++) s.send(0);
    const hits = [0, 0, 0, 0, 0];
    const ops = hits.map(() => weft.recv(r));
    for (let i = 0; i < n; i++) hits[weft.select(ops).index]++;
    for (const h of hits) expect(h).toBeGreaterThanOrEqual(n / hits.length / 2);
    expect(r.isEmpty()).toBe(true);
    s.close(); r.close();
  });

  test("fairness_parked (bug: a parked select was always woken for its first operation on a channel): duplicate receives of a parked select both win", async () => {
    const n = 100;
    const [s, r] = weft.bounded(1, { of: "i32" });
    const h = weft.spawn([r, n], (r, n) => {
      const w = (globalThis as any).weft;
      const hits = [0, 0];
      for (let i = 0; i < n; i++) hits[w.select([w.recv(r), w.recv(r)]).index]++;
      return hits;
    });
    for (let i = 0; i < n; i++) {
      waitUntilBlocked(s, "recv", 2); // both entries of select i linked: it sleeps on an empty channel
      s.send(i); // wakes the first entry of the list; before the fix, always operation 0
    }
    const hits = (await h.join()) as number[];
    expect(hits[0] + hits[1]).toBe(n);
    for (const x of hits) expect(x).toBeGreaterThan(n / 10);
    s.close(); r.close();
  });

  test("recv_in_send: a send that is not selected sends nothing and gives its message back; its value may come from a receive", () => {
    const before = weft.stats();
    const [s, r] = weft.bounded(1, { of: "any" });
    s.send("occupant");
    const m = new weft.Mutex(1);
    // Full: the send is not ready, default wins; the encoded message (which took a reference to m) is discarded.
    expect(weft.select([weft.send(s, { m })], { default: true })).toEqual({ index: -1, disconnected: false });
    expect(r.len).toBe(1);
    expect(r.recv()).toBe("occupant");
    m.drop(); s.close(); r.close();
    expect(weft.stats().heapBytes).toBe(before.heapBytes);
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);

    // crossbeam evaluates the message expression inside select!; here it is evaluated first: a
    // receive on the same channel that makes room for the send.
    const [s2, r2] = weft.bounded(2);
    s2.send(1);
    expect(weft.select([weft.send(s2, r2.recv() + 1)])).toEqual({ index: 0, disconnected: false });
    expect(r2.recv()).toBe(2);
    s2.close(); r2.close();
  });

  test("channel_through_channel: each message carries the Receiver of the next bounded(1) channel", async () => {
    const n = stress(500);
    const before = weft.stats();
    const [tx, rx] = weft.bounded(1, { of: "any" });
    const a = weft.spawn([tx, n], (tx, n) => {
      const w = (globalThis as any).weft;
      let s = tx;
      for (let i = 0; i < n; i++) {
        const [ns, nr] = w.bounded(1, { of: "any" });
        s.send({ next: nr }); // the message takes its own reference
        nr.close();
        s.close();
        s = ns;
      }
      s.send({ last: true });
      s.close();
    });
    const b = weft.spawn([rx, n], (rx, n) => {
      let r = rx;
      for (let i = 0; i < n; i++) {
        const m = r.recv() as any;
        r.close();
        r = m.next;
      }
      const last = r.recv();
      r.close();
      return last;
    });
    tx.close(); rx.close();
    await a.join();
    expect(await b.join()).toEqual({ last: true });
    expect(weft.stats().heapBytes).toBe(before.heapBytes);
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
  });
  test("stress: 2 producers x 2 consumers over bounded(2), mixed blocking forms, exact sum and count", async () => {
    const n = stress(8000);
    const [tx, rx] = weft.bounded(2);
    const producers = [0, 1].map((p) => weft.spawn([tx, p, n], (tx, p, n) => {
      for (let k = 0; k < n; k++) {
        const v = p * n + k;
        if (k % 3 === 0) tx.send(v);
        else if (k % 3 === 1) { for (;;) { try { tx.sendTimeout(v, 1); break; } catch { /* timed out: again */ } } }
        else { for (;;) { try { tx.trySend(v); break; } catch { /* full: again */ } } }
      }
    }));
    const consumers = [0, 1].map((c) => weft.spawn([rx, c], (rx, c) => {
      let sum = 0, count = 0;
      for (let k = 0; ; k++) {
        let v: number;
        try {
          if ((k + c) % 2 === 0) v = rx.recv();
          else { for (;;) { try { v = rx.recvTimeout(1); break; } catch (e: any) { if (e.kind === "Disconnected") throw e; } } }
        } catch { return [sum, count]; }
        sum += v!; count++;
      }
    }));
    tx.close(); rx.close();
    await Promise.all(producers.map((h) => h.join()));
    const rs = (await Promise.all(consumers.map((h) => h.join()))) as [number, number][];
    const total = 2 * n;
    expect(rs[0][1] + rs[1][1]).toBe(total);
    expect(rs[0][0] + rs[1][0]).toBe((total * (total - 1)) / 2);
  });

  test("async_steals_wakeup (bug: a parked recvAsync/sendAsync of a busy thread took the only wake-up of a blocked receiver/sender)", async () => {
    // Receive side: the main thread parks a recvAsync, a thread blocks in recv; one message
    // arrives while the main thread is blocked (synchronously) waiting for that thread.
    const [tx, rx] = weft.bounded(1);
    const [replyTx, replyRx] = weft.bounded(1);
    const parked = rx.recvAsync();
    waitUntilBlocked(rx, "recv", 1); // the async receive is parked (announced)
    const worker = weft.spawn([rx, replyTx], (rx, replyTx) => { replyTx.send(rx.recv()); });
    waitUntilBlocked(rx, "recv", 2); // and the thread's receive behind it
    const sender = weft.spawn([tx], (tx) => { tx.send(5); });
    expect(replyRx.recvTimeout(10_000)).toBe(5); // the thread was woken although the async waiter came first
    await Promise.all([worker.join(), sender.join()]);
    tx.send(6);
    expect(await parked).toBe(6);

    // Send side: the channel is full, the main thread parks a sendAsync, a thread blocks in send;
    // one slot frees up while the main thread is blocked waiting for that thread.
    tx.send(0);
    const parkedSend = tx.sendAsync(1);
    waitUntilBlocked(tx, "send", 1);
    const blockedSender = weft.spawn([tx, replyTx], (tx, replyTx) => { tx.send(2); replyTx.send(-2); });
    waitUntilBlocked(tx, "send", 2);
    const receiver = weft.spawn([rx], (rx) => rx.recv());
    expect(replyRx.recvTimeout(10_000)).toBe(-2);
    expect(await receiver.join()).toBe(0);
    await blockedSender.join();
    expect(rx.recv()).toBe(2); // makes room for the parked sendAsync
    await parkedSend;
    expect(rx.recv()).toBe(1);
    for (const x of [tx, rx, replyTx, replyRx]) x.close();
  });

  test("async_steals_wakeup with 300 parked recvAsync ahead of a blocked thread: the thread still gets the message; then every async one gets its own", async () => {
    const k = 300; // more than the 8 bits the blocking sleepers count in
    const [tx, rx] = weft.bounded(4, { of: "i32" });
    const [replyTx, replyRx] = weft.bounded(1, { of: "i32" });
    const parked = Array.from({ length: k }, () => rx.recvAsync());
    waitUntilBlocked(rx, "recv", k);
    const worker = weft.spawn([rx, replyTx], (rx, replyTx) => { replyTx.send(rx.recv()); });
    waitUntilBlocked(rx, "recv", k + 1);
    const sender = weft.spawn([tx], (tx) => { tx.send(-1); });
    expect(replyRx.recvTimeout(10_000)).toBe(-1);
    await Promise.all([worker.join(), sender.join()]);
    const feeder = weft.spawn([tx, k], (tx, k) => { for (let i = 0; i < k; i++) tx.send(i); });
    const got = (await Promise.all(parked)).sort((a, b) => a - b);
    await feeder.join();
    expect(got).toEqual(Array.from({ length: k }, (_, i) => i));
    for (const x of [tx, rx, replyTx, replyRx]) x.close();
  });

  test("async_select_steals_wakeup (bug: a parked selectAsync of a busy thread took the only selector wake-up of a blocked select)", async () => {
    const [tx, rx] = weft.bounded(1);
    const [replyTx, replyRx] = weft.bounded(1);
    const parked = weft.selectAsync([weft.recv(rx)]);
    waitUntilBlocked(rx, "recv", 1); // its entry is linked
    const worker = weft.spawn([rx, replyTx], (rx, replyTx) => {
      const w = (globalThis as any).weft;
      replyTx.send(w.select([w.recv(rx)]).value);
    });
    waitUntilBlocked(rx, "recv", 2);
    const sender = weft.spawn([tx], (tx) => { tx.send(5); });
    expect(replyRx.recvTimeout(10_000)).toBe(5);
    await Promise.all([worker.join(), sender.join()]);
    tx.send(6);
    expect(await parked).toEqual({ index: 0, value: 6, disconnected: false });
    for (const x of [tx, rx, replyTx, replyRx]) x.close();
  });

  test("handles: clone and close count per side; both ends gone frees the channel", () => {
    const before = weft.stats().heapBlocks;
    const [tx, rx] = weft.bounded(8);
    const rx2 = rx.clone();
    rx.close();
    tx.send(1);
    expect(tx.isDisconnected()).toBe(false);
    expect(rx2.recv()).toBe(1);
    expect(() => rx.recv()).toThrow(weft.DroppedError);
    {
      using tx3 = tx.clone();
      tx3.send(2);
    }
    tx[Symbol.dispose]();
    expect(rx2.isDisconnected()).toBe(true);
    expect(rx2.recv()).toBe(2);
    rx2.close();
    expect(weft.stats().heapBlocks).toBe(before);
  });

  test("async: recvAsync and sendAsync wait for threads; for await ends on disconnection", async () => {
    const [tx, rx] = weft.bounded(1);
    const got = rx.recvAsync();
    const h = weft.spawn([tx], (tx) => { tx.send(5); tx.send(6); tx.send(7); });
    expect(await got).toBe(5);
    const rest: number[] = [];
    tx.close();
    for await (const v of rx) rest.push(v);
    expect(rest).toEqual([6, 7]);
    await h.join();
    rx.close();

    const [tx2, rx2] = weft.bounded(1);
    await tx2.sendAsync(1); // room: immediate
    const sent = tx2.sendAsync(2); // full: waits for the thread's receive
    const c = weft.spawn([rx2], (rx2) => [rx2.recv(), rx2.recv()]);
    await sent;
    expect(await c.join()).toEqual([1, 2]);
    tx2.close(); rx2.close();
  });

  test("async: concurrent recvAsync calls on one thread each get their own message", async () => {
    const [tx, rx] = weft.bounded(4);
    const a = rx.recvAsync();
    const b = rx.recvAsync();
    const c = rx.recvAsync();
    const h = weft.spawn([tx], (tx) => { tx.send(1); tx.send(2); tx.send(3); });
    tx.close();
    const got = await Promise.all([a, b, c]);
    await h.join();
    expect(got.sort()).toEqual([1, 2, 3]);
    rx.close();
  });

  test("async: timeouts and disconnection reject with typed errors, values handed back", async () => {
    const [tx, rx] = weft.bounded(1);
    await expect(rx.recvAsync({ timeout: 5 })).rejects.toMatchObject({ name: "RecvTimeoutError", kind: "Timeout" });
    tx.send(1);
    await expect(tx.sendAsync(2, { timeout: 5 })).rejects.toMatchObject({ name: "SendTimeoutError", kind: "Timeout", value: 2 });
    expect(tx.len).toBe(1);
    const parked = tx.sendAsync(3);
    rx.close();
    await expect(parked).rejects.toMatchObject({ name: "SendError", value: 3 });
    tx.close();

    const [tx2, rx2] = weft.bounded(1);
    const waiting = rx2.recvAsync();
    tx2.close();
    await expect(waiting).rejects.toBeInstanceOf(weft.RecvError);
    rx2.close();
  });

  test("async and blocking consumers share the messages exactly", async () => {
    const n = stress(2000);
    const [tx, rx] = weft.bounded(4);
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

  test("bad input: capacities, payload kinds, timeouts — typed errors, nothing sent", () => {
    for (const cap of [-1, NaN, 1.5, 2 ** 24 + 1, Infinity, "4" as any]) {
      expect(() => weft.bounded(cap)).toThrow(weft.InvalidArgumentError);
    }
    expect(() => weft.mpsc.syncChannel(-1)).toThrow(weft.InvalidArgumentError);
    expect(() => weft.bounded(1, { of: "f32" as any })).toThrow(weft.InvalidArgumentError);

    const [tx, rx] = weft.bounded(4);
    expect(() => tx.send("a" as any)).toThrow(weft.UnsupportedValueError);
    expect(() => tx.trySend(1n as any)).toThrow(weft.UnsupportedValueError);
    expect(() => tx.sendTimeout(1, -1)).toThrow(weft.InvalidArgumentError);
    expect(() => rx.recvTimeout(NaN)).toThrow(weft.InvalidArgumentError);
    expect(tx.len).toBe(0);
    tx.send(NaN); tx.send(-0.5);
    expect(Number.isNaN(rx.recv())).toBe(true);
    expect(rx.recv()).toBe(-0.5);
    tx.close(); rx.close();

    const [ti, ri] = weft.bounded(4, { of: "i32" });
    expect(() => ti.send(1.5)).toThrow(weft.InvalidArgumentError);
    expect(() => ti.send(2 ** 31)).toThrow(weft.InvalidArgumentError);
    ti.send(-(2 ** 31));
    expect(ri.recv()).toBe(-(2 ** 31));
    ti.close(); ri.close();
    const [tu, ru] = weft.bounded(4, { of: "u32" });
    expect(() => tu.send(-1)).toThrow(weft.InvalidArgumentError);
    expect(tu.len).toBe(0);
    tu.close(); ru.close();
  });

  test("bad input: send after close, forged and stale handles", () => {
    const [tx, rx] = weft.bounded(2);
    rx.close();
    let e: any;
    try { tx.send(9); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.SendError);
    expect(e.value).toBe(9);
    const raw = tx.intoRaw();
    expect(() => weft.Receiver.fromRaw(raw)).toThrow(weft.InvalidHandleError); // a sender end is no receiver
    expect(() => weft.Sender.fromRaw({ ptr: raw.ptr + 8, gen: raw.gen })).toThrow(weft.InvalidHandleError);
    expect(() => weft.Sender.fromRaw({ ptr: raw.ptr, gen: raw.gen + 1 })).toThrow(weft.InvalidHandleError);
    const back = weft.Sender.fromRaw(raw);
    expect(() => back.send(1)).toThrow(weft.SendError);
    back.close();
    expect(() => back.send(1)).toThrow(weft.DroppedError);
    expect(() => weft.Sender.fromRaw(raw)).toThrow(weft.InvalidHandleError); // freed: stale
    expect(() => new (weft.Sender as any)()).toThrow(weft.InvalidArgumentError);
  });
});
