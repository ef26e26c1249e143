// Channels, array flavor (bounded numeric): crossbeam-channel's tests/array.rs names, plus the
// async ladder and bad input. Threads synchronise through the channels themselves or semaphores.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(4);

describe("channel (array flavor)", () => {
  test("smoke: one message through, then empty", () => {
    const [tx, rx] = weft.bounded(1);
    tx.send(7);
    expect(rx.tryRecv()).toBe(7);
    expect(() => rx.tryRecv()).toThrow(weft.TryRecvError);
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

  test("disconnect wakes sender: a sender blocked on a full channel gets SendError with its value", async () => {
    const [tx, rx] = weft.bounded(1);
    tx.send(1);
    using ready = new weft.Semaphore(0);
    const h = weft.spawn([tx, ready], (tx, ready) => {
      ready.release();
      try { tx.send(2); return "sent"; } catch (e: any) { return [e.name, e.value]; }
    });
    ready.acquire();
    rx.close();
    expect(await h.join()).toEqual(["SendError", 2]);
    expect(tx.isDisconnected()).toBe(true);
    tx.close();
  });

  test("disconnect wakes receiver: blocked receivers see RecvError once the last sender drops", async () => {
    const [tx, rx] = weft.bounded(4);
    using ready = new weft.Semaphore(0);
    const hs = [0, 1].map(() => weft.spawn([rx, ready], (rx, ready) => {
      ready.release();
      const got: number[] = [];
      for (;;) {
        try { got.push(rx.recv()); } catch (e: any) { return [got, e.name]; }
      }
    }));
    ready.acquire(); ready.acquire();
    const tx2 = tx.clone();
    tx.send(10);
    tx.close();
    expect(tx2.isDisconnected()).toBe(false); // a clone still holds the sending side
    tx2.send(20);
    tx2.close();
    const rs = (await Promise.all(hs.map((h) => h.join()))) as [number[], string][];
    expect(rs.map((r) => r[1])).toEqual(["RecvError", "RecvError"]);
    expect(rs.flatMap((r) => r[0]).sort((a, b) => a - b)).toEqual([10, 20]);
    rx.close();
  });

  test("buffered messages are received after the senders are gone; iteration ends on disconnection", () => {
    const [tx, rx] = weft.mpsc.syncChannel(4, { of: "u32" });
    for (const v of [1, 2, 3, 0xFFFFFFFF]) tx.send(v);
    tx.close();
    expect([...rx]).toEqual([1, 2, 3, 0xFFFFFFFF]);
    expect(() => rx.recv()).toThrow(weft.RecvError);
    rx.close();
  });

  test("len: follows sends and receives across many laps", () => {
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

  test("mpmc: 3 producers x 3 consumers, every message received exactly once", async () => {
    const n = stress(3000);
    const [tx, rx] = weft.bounded(16, { of: "i32" });
    const producers = [0, 1, 2].map((p) => weft.spawn([tx, p, n], (tx, p, n) => {
      for (let k = 0; k < n; k++) tx.send(p * n + k);
    }));
    const consumers = [0, 1, 2].map(() => weft.spawn([rx], (rx) => {
      const got: number[] = [];
      for (const v of rx) got.push(v);
      return got;
    }));
    tx.close(); rx.close(); // the threads hold their own handles
    await Promise.all(producers.map((h) => h.join()));
    const all = ((await Promise.all(consumers.map((h) => h.join()))) as number[][]).flat();
    expect(all.length).toBe(3 * n);
    all.sort((a, b) => a - b);
    expect(all.every((v, i) => v === i)).toBe(true);
  });

  test("stress: 2 producers x 2 consumers over bounded(2), mixed blocking forms, exact sum and count", async () => {
    const n = stress(20000);
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

  test("linearizable: a single producer and a single consumer keep order", async () => {
    const n = stress(20000);
    const [tx, rx] = weft.bounded(3, { of: "i32" });
    const p = weft.spawn([tx, n], (tx, n) => { for (let k = 0; k < n; k++) tx.send(k); });
    const c = weft.spawn([rx], (rx) => {
      let next = 0;
      for (const v of rx) { if (v !== next) return [false, next, v]; next++; }
      return [true, next];
    });
    tx.close(); rx.close();
    await p.join();
    expect(await c.join()).toEqual([true, n]);
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
