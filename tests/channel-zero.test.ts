// Channels, zero flavor (rendezvous, bounded(0)): crossbeam-channel's tests/zero.rs names, plus
// rendezvous semantics, the async forms and leaks. Threads synchronise through the channels
// themselves, semaphores and atomics; the only timeouts are in tests of timeouts.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";
import { waitUntilBlocked } from "./channel-wait";

useWeft(4);

describe("channel (zero flavor)", () => {
  test("smoke: try_send is Full and try_recv Empty with nobody on the other side", () => {
    const [tx, rx] = weft.bounded(0);
    let e: any;
    try { tx.trySend(7); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.TrySendError);
    expect([e.kind, e.value]).toEqual(["Full", 7]);
    try { rx.tryRecv(); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.TryRecvError);
    expect(e.kind).toBe("Empty");
    tx.close(); rx.close();
  });

  test("capacity: 0 on both ends, for bounded(0) and mpsc.syncChannel(0)", () => {
    for (const [tx, rx] of [weft.bounded(0), weft.mpsc.syncChannel(0, { of: "u32" })]) {
      expect(tx.capacity).toBe(0);
      expect(rx.capacity).toBe(0);
      tx.close(); rx.close();
    }
  });

  test("len_empty_full: always len 0, empty and full, before and after an exchange", async () => {
    const [tx, rx] = weft.bounded(0);
    const check = (): void => {
      for (const end of [tx, rx]) {
        expect(end.len).toBe(0);
        expect(end.isEmpty()).toBe(true);
        expect(end.isFull()).toBe(true);
      }
    };
    check();
    const h = weft.spawn([rx], (rx) => rx.recv());
    tx.send(0);
    expect(await h.join()).toBe(0);
    check();
    tx.close(); rx.close();
  });

  test("rendezvous: a send completes only once a receiver has taken the message", async () => {
    const [tx, rx] = weft.bounded(0);
    let e: any;
    try { tx.sendTimeout(1, 5); } catch (x) { e = x; }
    expect([e.kind, e.value]).toEqual(["Timeout", 1]); // nobody receiving: nowhere to put it
    using ready = new weft.Semaphore(0);
    const sent = new weft.AtomicI32(0);
    const h = weft.spawn([tx, ready, sent], (tx, ready, sent) => {
      ready.release();
      tx.send(42);
      sent.store(1, (globalThis as any).weft.Ordering.SeqCst);
    });
    ready.acquire();
    expect(sent.load(weft.Ordering.SeqCst)).toBe(0); // blocked in send until we receive
    expect(rx.recv()).toBe(42);
    await h.join();
    expect(sent.load(weft.Ordering.SeqCst)).toBe(1);
    sent.drop();
    tx.close(); rx.close();
  });

  test("try_recv: Empty, then the value of a waiting sender, then Disconnected", async () => {
    const [tx, rx] = weft.bounded(0);
    using started = new weft.Semaphore(0);
    const h = weft.spawn([rx, started], (rx, started) => {
      const kinds: string[] = [];
      try { rx.tryRecv(); } catch (e: any) { kinds.push(e.kind); }
      started.release();
      let v: number;
      for (;;) { try { v = rx.tryRecv(); break; } catch (e: any) { if (e.kind !== "Empty") throw e; } }
      for (;;) { try { rx.tryRecv(); } catch (e: any) { if (e.kind === "Disconnected") { kinds.push(e.kind); break; } } }
      return [kinds, v];
    });
    started.acquire();
    tx.send(7); // blocks until the thread's try_recv pairs with it
    tx.close();
    expect(await h.join()).toEqual([["Empty", "Disconnected"], 7]);
    rx.close();
  });

  test("recv: three values from a thread, then RecvError once the sender is gone", async () => {
    const [tx, rx] = weft.bounded(0, { of: "i32" });
    const h = weft.spawn([tx], (tx) => { tx.send(7); tx.send(8); tx.send(9); });
    tx.close();
    expect([rx.recv(), rx.recv(), rx.recv()]).toEqual([7, 8, 9]);
    await h.join();
    expect(() => rx.recv()).toThrow(weft.RecvError);
    rx.close();
  });

  test("recv_timeout: Timeout with no sender, a value from a thread, then Disconnected", async () => {
    const [tx, rx] = weft.bounded(0);
    let e: any;
    try { rx.recvTimeout(5); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.RecvTimeoutError);
    expect(e.kind).toBe("Timeout");
    const h = weft.spawn([tx], (tx) => { tx.send(7); });
    tx.close();
    expect(rx.recvTimeout(30_000)).toBe(7);
    await h.join();
    try { rx.recvTimeout(30_000); } catch (x) { e = x; }
    expect(e.kind).toBe("Disconnected");
    rx.close();
  });

  test("try_send: Full with no receiver, succeeds once one waits, Disconnected after", async () => {
    const [tx, rx] = weft.bounded(0);
    let e: any;
    try { tx.trySend(7); } catch (x) { e = x; }
    expect([e.kind, e.value]).toEqual(["Full", 7]);
    const h = weft.spawn([rx], (rx) => rx.recv());
    rx.close();
    for (;;) { try { tx.trySend(8); break; } catch (x: any) { expect(x.kind).toBe("Full"); } }
    expect(await h.join()).toBe(8);
    try { tx.trySend(9); } catch (x) { e = x; } // the thread's receiver is gone too
    expect([e.kind, e.value]).toEqual(["Disconnected", 9]);
    tx.close();
  });

  test("send: blocking sends to a thread, in order", async () => {
    const [tx, rx] = weft.bounded(0);
    const h = weft.spawn([rx], (rx) => [rx.recv(), rx.recv(), rx.recv()]);
    tx.send(7); tx.send(8); tx.send(9);
    expect(await h.join()).toEqual([7, 8, 9]);
    tx.close(); rx.close();
  });

  test("send_timeout: Timeout with the value back, success with a receiver, then Disconnected", async () => {
    const [tx, rx] = weft.bounded(0);
    let e: any;
    try { tx.sendTimeout(7, 5); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.SendTimeoutError);
    expect([e.kind, e.value]).toEqual(["Timeout", 7]);
    const h = weft.spawn([rx], (rx) => rx.recv());
    rx.close();
    tx.sendTimeout(8, 30_000);
    expect(await h.join()).toBe(8);
    try { tx.sendTimeout(9, 30_000); } catch (x) { e = x; }
    expect([e.kind, e.value]).toEqual(["Disconnected", 9]);
    tx.close();
  });

  test("len: stays 0 on both ends through many exchanges", async () => {
    const n = stress(2000);
    const [tx, rx] = weft.bounded(0);
    const h = weft.spawn([rx, n], (rx, n) => {
      for (let i = 0; i < n; i++) { if (rx.recv() !== i || rx.len !== 0) return false; }
      return true;
    });
    for (let i = 0; i < n; i++) { tx.send(i); expect(tx.len).toBe(0); }
    expect(await h.join()).toBe(true);
    tx.close(); rx.close();
  });

  test("disconnect_wakes_sender: a sender parked waiting for a receiver gets SendError with its value", async () => {
    const [tx, rx] = weft.bounded(0);
    const h = weft.spawn([tx], (tx) => {
      try { tx.send(3); return "sent"; } catch (e: any) { return [e.name, e.value]; }
    });
    waitUntilBlocked(rx, "send"); // the sender is parked, not racing the close
    rx.close();
    expect(await h.join()).toEqual(["SendError", 3]);
    tx.close();
  });

  test("disconnect_wakes_receiver: receivers parked waiting for a sender see RecvError", async () => {
    const [tx, rx] = weft.bounded(0);
    const hs = [0, 1].map(() => weft.spawn([rx], (rx) => {
      try { rx.recv(); return "received"; } catch (e: any) { return e.name; }
    }));
    waitUntilBlocked(tx, "recv", 2); // both receivers are parked
    tx.close();
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual(["RecvError", "RecvError"]);
    rx.close();
  });

  test("spsc: every value in order, then RecvError", async () => {
    const n = stress(5000);
    const [tx, rx] = weft.bounded(0, { of: "i32" });
    const c = weft.spawn([rx, n], (rx, n) => {
      for (let i = 0; i < n; i++) { const v = rx.recv(); if (v !== i) return [false, i, v]; }
      try { rx.recv(); return [false, "no RecvError"]; } catch (e: any) { return [e.name === "RecvError"]; }
    });
    const p = weft.spawn([tx, n], (tx, n) => { for (let i = 0; i < n; i++) tx.send(i); });
    tx.close(); rx.close();
    await p.join();
    expect(await c.join()).toEqual([true]);
  });

  test("mpmc: 2 senders x 2 receivers, every value received exactly once per sender", async () => {
    const n = stress(2000);
    const [tx, rx] = weft.bounded(0, { of: "i32" });
    const consumers = [0, 1].map(() => weft.spawn([rx], (rx) => { const got: number[] = []; for (const v of rx) got.push(v); return got; }));
    const producers = [0, 1].map(() => weft.spawn([tx, n], (tx, n) => { for (let i = 0; i < n; i++) tx.send(i); }));
    tx.close(); rx.close();
    await Promise.all(producers.map((h) => h.join()));
    const counts = new Array(n).fill(0);
    for (const got of (await Promise.all(consumers.map((h) => h.join()))) as number[][]) for (const v of got) counts[v]++;
    expect(counts.every((c) => c === 2)).toBe(true);
  });

  test("stress_oneshot: many one-message channels, receiver on a thread", async () => {
    const n = stress(100);
    for (let i = 0; i < n; i++) {
      const [tx, rx] = weft.bounded(0);
      const h = weft.spawn([rx], (rx) => rx.recv());
      tx.send(i);
      expect(await h.join()).toBe(i);
      tx.close(); rx.close();
    }
  });

  test("stress_timeout_two_threads: send_timeout and recv_timeout retried until they meet, in order", async () => {
    const n = stress(200);
    const [tx, rx] = weft.bounded(0, { of: "i32" });
    const s = weft.spawn([tx, n], (tx, n) => {
      for (let i = 0; i < n; i++) { for (;;) { try { tx.sendTimeout(i, 1); break; } catch (e: any) { if (e.kind !== "Timeout") throw e; } } }
    });
    const r = weft.spawn([rx, n], (rx, n) => {
      for (let i = 0; i < n; i++) {
        for (;;) {
          try { const v = rx.recvTimeout(1); if (v !== i) return [false, i, v]; break; } catch (e: any) { if (e.kind !== "Timeout") throw e; }
        }
      }
      return [true];
    });
    tx.close(); rx.close();
    await s.join();
    expect(await r.join()).toEqual([true]);
  });

  test("drops: timed-out, disconnected and completed waits leave no context or entry behind", async () => {
    const before = weft.stats().heapBlocks;
    const [tx, rx] = weft.bounded(0);
    for (let i = 0; i < 3; i++) {
      expect(() => tx.sendTimeout(1, 1)).toThrow(weft.SendTimeoutError);
      expect(() => rx.recvTimeout(1)).toThrow(weft.RecvTimeoutError);
      await expect(rx.recvAsync({ timeout: 1 })).rejects.toBeInstanceOf(weft.RecvTimeoutError);
      await expect(tx.sendAsync(1, { timeout: 1 })).rejects.toBeInstanceOf(weft.SendTimeoutError);
    }
    const n = stress(500);
    const h = weft.spawn([rx, n], (rx, n) => { let s = 0; for (let i = 0; i < n; i++) s += rx.recv(); return s; });
    for (let i = 0; i < n; i++) tx.send(1);
    expect(await h.join()).toBe(n);
    const parked = rx.recvAsync();
    tx.close();
    await expect(parked).rejects.toBeInstanceOf(weft.RecvError);
    rx.close();
    expect(weft.stats().heapBlocks).toBe(before);
  });

  test("fairness: a select over two zero channels picks both about equally (both sides)", async () => {
    const n = stress(1000);
    const [s1, r1] = weft.bounded(0);
    const [s2, r2] = weft.bounded(0);
    const h = weft.spawn([r1, r2, n], (r1, r2, n) => {
      const w = (globalThis as any).weft;
      const hits = [0, 0];
      for (let i = 0; i < n; i++) hits[w.select([w.recv(r1), w.recv(r2)]).index]++;
      return hits;
    });
    const hits = [0, 0];
    for (let i = 0; i < n; i++) hits[weft.select([weft.send(s1, 0), weft.send(s2, 0)]).index]++;
    const theirs = (await h.join()) as number[];
    for (const x of [...hits, ...theirs]) expect(x).toBeGreaterThanOrEqual(n / 4);
    s1.close(); r1.close(); s2.close(); r2.close();
  });

  test("async: sendAsync and recvAsync on one thread meet each other; on threads too", async () => {
    const [tx, rx] = weft.bounded(0);
    const [, v] = await Promise.all([tx.sendAsync(5), rx.recvAsync()]);
    expect(v).toBe(5);
    const [w] = await Promise.all([rx.recvAsync(), tx.sendAsync(6)]);
    expect(w).toBe(6);
    const got = rx.recvAsync();
    const h = weft.spawn([tx], (tx) => { tx.send(7); tx.send(8); });
    expect(await got).toBe(7);
    expect(await rx.recvAsync()).toBe(8);
    await h.join();
    const c = weft.spawn([rx], (rx) => rx.recv());
    await tx.sendAsync(9);
    expect(await c.join()).toBe(9);
    tx.close();
    const rest: number[] = [];
    for await (const x of rx) rest.push(x);
    expect(rest).toEqual([]);
    rx.close();
  });

  test("async: concurrent recvAsync calls each get their own message", async () => {
    const [tx, rx] = weft.bounded(0);
    const all = Promise.all([rx.recvAsync(), rx.recvAsync(), rx.recvAsync()]);
    const h = weft.spawn([tx], (tx) => { tx.send(1); tx.send(2); tx.send(3); });
    const got = await all;
    await h.join();
    expect(got.sort()).toEqual([1, 2, 3]);
    tx.close(); rx.close();
  });

  test("async: timeouts and disconnection reject with typed errors, values handed back", async () => {
    const [tx, rx] = weft.bounded(0);
    await expect(rx.recvAsync({ timeout: 5 })).rejects.toMatchObject({ name: "RecvTimeoutError", kind: "Timeout" });
    await expect(tx.sendAsync(2, { timeout: 5 })).rejects.toMatchObject({ name: "SendTimeoutError", kind: "Timeout", value: 2 });
    const parked = tx.sendAsync(3);
    rx.close();
    await expect(parked).rejects.toMatchObject({ name: "SendError", value: 3 });
    await expect(tx.sendAsync(4, { timeout: 100 })).rejects.toMatchObject({ name: "SendTimeoutError", kind: "Disconnected", value: 4 });
    tx.close();
  });

  test("handles: both ends gone frees the channel; bad capacities still rejected", () => {
    const before = weft.stats().heapBlocks;
    const [tx, rx] = weft.bounded(0);
    const tx2 = tx.clone();
    tx.close();
    expect(rx.isDisconnected()).toBe(false);
    tx2.close();
    expect(rx.isDisconnected()).toBe(true);
    expect(() => rx.tryRecv()).toThrow(weft.TryRecvError);
    rx.close();
    expect(weft.stats().heapBlocks).toBe(before);
    for (const cap of [-0.5, -1, NaN]) expect(() => weft.bounded(cap)).toThrow(weft.InvalidArgumentError);
    const [ti, ri] = weft.bounded(0, { of: "i32" });
    expect(() => ti.trySend(1.5)).toThrow(weft.InvalidArgumentError);
    ti.close(); ri.close();
  });
});
