// Channel batch operations (Sender.sendMany / Receiver.recvMany and their async twins): exactness
// under concurrency (every message once, in order per producer), partial batches, disconnection
// mid-batch, timeouts, async forms and bad input. Threads synchronise through the channels.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(4);

const catching = (f: () => unknown): any => { try { f(); } catch (e) { return e; } return undefined; };
const rejecting = async (p: Promise<unknown>): Promise<any> => { try { await p; } catch (e) { return e; } return undefined; };

describe("channel batches", () => {
  test("smoke: a batch in, the same batch out, in order, for each numeric kind", () => {
    const [tx, rx] = weft.bounded(8);
    tx.sendMany(new Float64Array([1.5, -2, 3e300, NaN]));
    const out = new Float64Array(8);
    expect(rx.recvMany(out)).toBe(4);
    expect(Array.from(out.subarray(0, 4))).toEqual([1.5, -2, 3e300, NaN]);
    tx.close(); rx.close();

    const [ti, ri] = weft.bounded(4, { of: "i32" });
    ti.sendMany(new Int32Array([-0x80000000, 0x7FFFFFFF, 0]));
    const oi = new Int32Array(3);
    expect(ri.recvMany(oi)).toBe(3);
    expect(Array.from(oi)).toEqual([-0x80000000, 0x7FFFFFFF, 0]);
    ti.close(); ri.close();

    const [tu, ru] = weft.bounded(4, { of: "u32" });
    tu.sendMany([0xFFFFFFFF, 1]);
    tu.send(7);
    const ou = new Uint32Array(5);
    expect(ru.recvMany(ou)).toBe(3);
    expect(Array.from(ou.subarray(0, 3))).toEqual([0xFFFFFFFF, 1, 7]);
    tu.close(); ru.close();
  });

  test("partial batches: recvMany takes what is there, up to into.length; laps wrap inside a batch", () => {
    const [tx, rx] = weft.bounded(5);
    const got: number[] = [];
    let next = 0;
    for (let round = 0; round < 20; round++) {
      const k = 1 + (round % 5);
      tx.sendMany(Float64Array.from({ length: k }, () => next++));
      const into = new Float64Array(3);
      let left = k;
      while (left > 0) {
        const m = rx.recvMany(into);
        expect(m).toBe(Math.min(3, left));
        got.push(...into.subarray(0, m));
        left -= m;
      }
      expect(rx.len).toBe(0);
    }
    expect(got).toEqual(Array.from({ length: next }, (_, i) => i));
    // Single and batch operations mix on one ring.
    tx.send(100); tx.sendMany([101, 102]); tx.send(103);
    expect(rx.recv()).toBe(100);
    const into = new Float64Array(10);
    expect(rx.recvMany(into)).toBe(3);
    expect(Array.from(into.subarray(0, 3))).toEqual([101, 102, 103]);
    tx.close(); rx.close();
  });

  test("a batch bigger than the capacity blocks until a consumer frees slots; every message once, in order", async () => {
    const n = stress(50_000);
    const [tx, rx] = weft.bounded(16);
    const c = weft.spawn([rx], (rx) => {
      const into = new Float64Array(7);
      let sum = 0, count = 0, expect = 0, bad = 0;
      for (;;) {
        let m: number;
        try { m = rx.recvMany(into); } catch (e) { if (e instanceof globalThis.weft.RecvError) break; throw e; }
        for (let i = 0; i < m; i++) { if (into[i] !== expect) bad++; expect++; sum += into[i]; }
        count += m;
      }
      return [count, sum, bad];
    });
    tx.sendMany(Float64Array.from({ length: n }, (_, i) => i));
    tx.close();
    expect(await c.join()).toEqual([n, (n * (n - 1)) / 2, 0]);
    rx.close();
  });

  test("mpmc: 3 batch producers, 3 batch consumers; every message once, in order per producer", async () => {
    const n = stress(20_000);
    const [tx, rx] = weft.bounded(64, { of: "i32" });
    const producers = [0, 1, 2].map((p) => weft.spawn([tx, p, n], (tx, p, n) => {
      const chunk = new Int32Array(13);
      for (let i = 0; i < n;) {
        const k = Math.min(chunk.length, n - i);
        for (let j = 0; j < k; j++) chunk[j] = p * 1_000_000 + i + j;
        tx.sendMany(chunk.subarray(0, k));
        i += k;
      }
    }));
    const consumers = [0, 1, 2].map(() => weft.spawn([rx], (rx) => {
      const into = new Int32Array(9);
      const seen: number[] = [];
      for (;;) {
        let m: number;
        try { m = rx.recvMany(into); } catch (e) { if (e instanceof globalThis.weft.RecvError) break; throw e; }
        for (let i = 0; i < m; i++) seen.push(into[i]);
      }
      return seen;
    }));
    await Promise.all(producers.map((h) => h.join()));
    tx.close();
    const seen = await Promise.all(consumers.map((h) => h.join()));
    for (const list of seen) {
      // Per producer, one consumer sees that producer's messages in increasing order.
      const last = [-1, -1, -1];
      for (const v of list) {
        const p = Math.floor(v / 1_000_000), i = v % 1_000_000;
        expect(i).toBeGreaterThan(last[p]);
        last[p] = i;
      }
    }
    const all = seen.flat().sort((a, b) => a - b);
    const want = [0, 1, 2].flatMap((p) => Array.from({ length: n }, (_, i) => p * 1_000_000 + i));
    expect(all.length).toBe(want.length);
    expect(all).toEqual(want);
    rx.close();
  });

  test("single senders, batch receivers and the other way round interleave exactly", async () => {
    const n = stress(20_000);
    const [tx, rx] = weft.bounded(8, { of: "u32" });
    const p = weft.spawn([tx, n], (tx, n) => { for (let i = 0; i < n; i++) tx.send(i); });
    const q = weft.spawn([tx, n], (tx, n) => tx.sendMany(Uint32Array.from({ length: n }, (_, i) => n + i)));
    const c = weft.spawn([rx], (rx) => {
      let s = 0, k = 0;
      for (const v of rx) { s += v; k++; }
      return [k, s];
    });
    await p.join(); await q.join();
    tx.close();
    expect(await c.join()).toEqual([2 * n, (2 * n * (2 * n - 1)) / 2]);
    rx.close();
  });

  test("disconnection mid-batch: sendMany reports how many were sent and hands back the rest", async () => {
    const [tx, rx] = weft.bounded(4);
    // The receiver takes exactly 6 messages, waits until the sender has filled the ring again
    // (4 more: the sender is then blocked, or about to block, on message 11), and drops its end.
    const c = weft.spawn([rx], (rx) => {
      const into = new Float64Array(1);
      let got = 0;
      while (got < 6) got += rx.recvMany(into);
      while (rx.len < 4) { /* the sender refills the ring */ }
      rx.close();
      return got;
    });
    rx.close(); // the thread holds its own reference: its close() disconnects
    const values = Float64Array.from({ length: 20 }, (_, i) => i);
    const e = catching(() => tx.sendMany(values));
    expect(await c.join()).toBe(6);
    expect(e).toBeInstanceOf(weft.SendManyError);
    expect(e).toBeInstanceOf(weft.SendError);
    expect(e.sent).toBe(10);
    expect(e.value).toBeInstanceOf(Float64Array);
    expect(Array.from(e.value)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    tx.close();
  });

  test("disconnect wakes receiver: recvMany drains what is buffered, then RecvError", async () => {
    const [tx, rx] = weft.bounded(4, { of: "i32" });
    const h = weft.spawn([rx], (rx) => {
      const into = new Int32Array(10);
      const got: number[] = [];
      for (;;) {
        try { const m = rx.recvMany(into); got.push(...into.subarray(0, m)); } catch (e) { return [got, (e as Error).name]; }
      }
    });
    tx.sendMany([1, 2, 3]);
    tx.close();
    const [got, name] = await h.join() as [number[], string];
    expect(got).toEqual([1, 2, 3]);
    expect(name).toBe("RecvError");
    expect(() => rx.recvMany(new Int32Array(1))).toThrow(weft.RecvError);
    rx.close();
  });

  test("sending on a channel without receivers: nothing sent, everything handed back", () => {
    const [tx, rx] = weft.bounded(4);
    rx.close();
    const e = catching(() => tx.sendMany([1, 2, 3]));
    expect(e).toBeInstanceOf(weft.SendManyError);
    expect([e.sent, e.value]).toEqual([0, [1, 2, 3]]);
    tx.close();
  });

  test("timeouts: recvMany times out on an empty channel, sendMany on a full one with the count sent", () => {
    const [tx, rx] = weft.bounded(3);
    const e1 = catching(() => rx.recvMany(new Float64Array(4), { timeout: 5 }));
    expect(e1).toBeInstanceOf(weft.RecvTimeoutError);
    expect(e1.kind).toBe("Timeout");
    expect(catching(() => rx.recvMany(new Float64Array(4), { timeout: 0 })).kind).toBe("Timeout");
    const e2 = catching(() => tx.sendMany([1, 2, 3, 4, 5], { timeout: 5 }));
    expect(e2).toBeInstanceOf(weft.SendManyTimeoutError);
    expect(e2).toBeInstanceOf(weft.SendTimeoutError);
    expect([e2.kind, e2.sent, e2.value]).toEqual(["Timeout", 3, [4, 5]]);
    const into = new Float64Array(4);
    expect(rx.recvMany(into, { timeout: 5 })).toBe(3);
    expect(Array.from(into.subarray(0, 3))).toEqual([1, 2, 3]);
    tx.close();
    expect(catching(() => rx.recvMany(into, { timeout: 5 })).kind).toBe("Disconnected");
    rx.close();
    const [tx2, rx2] = weft.bounded(1);
    rx2.close();
    const e3 = catching(() => tx2.sendMany([1], { timeout: 5 }));
    expect([e3.constructor.name, e3.kind, e3.sent]).toEqual(["SendManyTimeoutError", "Disconnected", 0]);
    tx2.close();
  });

  test("async forms: sendManyAsync parks while full, recvManyAsync while empty; timeouts and disconnection", async () => {
    const n = stress(5000);
    const [tx, rx] = weft.bounded(8);
    const c = weft.spawn([rx], async (rx) => {
      const into = new Float64Array(5);
      let s = 0, k = 0;
      for (;;) {
        let m: number;
        try { m = await rx.recvManyAsync(into); } catch (e) { if (e instanceof globalThis.weft.RecvError) return [k, s]; throw e; }
        for (let i = 0; i < m; i++) s += into[i];
        k += m;
      }
    });
    await tx.sendManyAsync(Float64Array.from({ length: n }, (_, i) => i));
    tx.close();
    expect(await c.join()).toEqual([n, (n * (n - 1)) / 2]);
    rx.close();

    const [t2, r2] = weft.bounded(2, { of: "i32" });
    const into = new Int32Array(4);
    const e1 = await rejecting(r2.recvManyAsync(into, { timeout: 5 }));
    expect([e1.constructor.name, e1.kind]).toEqual(["RecvTimeoutError", "Timeout"]);
    const e2 = await rejecting(t2.sendManyAsync([1, 2, 3], { timeout: 5 }));
    expect([e2.constructor.name, e2.kind, e2.sent, e2.value]).toEqual(["SendManyTimeoutError", "Timeout", 2, [3]]);
    // A parked recvManyAsync is woken by a batch from another thread.
    expect(await r2.recvManyAsync(into)).toBe(2);
    const pending = r2.recvManyAsync(into);
    const h = weft.spawn([t2], (t2) => t2.sendMany(new Int32Array([7, 8])));
    const m = await pending;
    await h.join();
    const rest = m < 2 ? r2.recvMany(into.subarray(m)) : 0;
    expect(m + rest).toBe(2);
    expect(Array.from(into.subarray(0, 2))).toEqual([7, 8]);
    // A parked sendManyAsync reports disconnection with the count sent.
    t2.sendMany([1, 2]);
    const parked = t2.sendManyAsync(new Int32Array([3, 4, 5]));
    const d = weft.spawn([r2], (r2) => { const v = r2.recv(); r2.close(); return v; });
    expect(await d.join()).toBe(1);
    r2.close();
    const e3 = await rejecting(parked);
    expect(e3).toBeInstanceOf(weft.SendManyError);
    expect(e3.sent + e3.value.length).toBe(3);
    expect(e3.value).toBeInstanceOf(Int32Array);
    t2.close();
  });

  test("closing the handle under a parked sendManyAsync does not disconnect until it settles", async () => {
    // Capacity 1: each message after the first needs a wait of its own, all after the close.
    const [tx, rx] = weft.bounded(1);
    tx.sendMany([1]);
    const parked = tx.sendManyAsync(new Float64Array([2, 3, 4, 5])); // parked: the ring is full
    tx.close(); // the operation holds its own reference to the end
    expect(rx.isDisconnected()).toBe(false);
    const h = weft.spawn([rx], (rx) => {
      const into = new Float64Array(5);
      let k = 0;
      while (k < 5) k += rx.recvMany(into.subarray(k));
      return Array.from(into);
    });
    await parked;
    expect(await h.join()).toEqual([1, 2, 3, 4, 5]);
    expect(catching(() => rx.recvMany(new Float64Array(1)))).toBeInstanceOf(weft.RecvError); // now disconnected
    rx.close();
  });

  test("closing the handle under a parked recvManyAsync: it still receives, then the channel disconnects", async () => {
    const [tx, rx] = weft.bounded(4, { of: "u32" });
    const into = new Uint32Array(4);
    const parked = rx.recvManyAsync(into);
    rx.close();
    expect(tx.isDisconnected()).toBe(false);
    tx.sendMany([7, 8]);
    const m = await parked;
    expect(Array.from(into.subarray(0, m))).toEqual([7, 8].slice(0, m));
    expect(tx.isDisconnected()).toBe(true); // the operation gave back the last receiver reference
    expect(catching(() => tx.sendMany([9]))).toBeInstanceOf(weft.SendManyError);
    tx.close();
  });

  test("big arrays go in chunks: 100k elements through a small ring, sync and async", async () => {
    const n = 100_000;
    const [tx, rx] = weft.bounded(1000);
    const c = weft.spawn([rx, n], (rx, n) => {
      const into = new Float64Array(n);
      let k = 0;
      while (k < n) k += rx.recvMany(into.subarray(k));
      let bad = 0;
      for (let i = 0; i < n; i++) if (into[i] !== i * 0.5) bad++;
      return bad;
    });
    tx.sendMany(Float64Array.from({ length: n }, (_, i) => i * 0.5));
    expect(await c.join()).toBe(0);
    const c2 = weft.spawn([tx, n], async (tx, n) => { await tx.sendManyAsync(Float64Array.from({ length: n }, (_, i) => -i)); });
    const into = new Float64Array(n);
    let k = 0;
    while (k < n) k += await rx.recvManyAsync(into.subarray(k));
    await c2.join();
    expect(into.every((v, i) => v === -i)).toBe(true);
    tx.close(); rx.close();
  });

  test("bad input: wrong array type, kind mismatch, bad numbers, detached or empty arrays, bad timeouts; nothing sent", async () => {
    const [tx, rx] = weft.bounded(4, { of: "i32" });
    expect(catching(() => tx.sendMany(new Float64Array([1])))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => tx.sendMany(new Uint32Array([1])))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => tx.sendMany(new Uint8Array([1]) as any))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => tx.sendMany("abc" as any))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => tx.sendMany(null as any))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => tx.sendMany([1, 2.5]))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => tx.sendMany([1, "2" as any]))).toBeInstanceOf(weft.UnsupportedValueError);
    expect(catching(() => tx.sendMany([1], { timeout: -1 }))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(await rejecting(tx.sendManyAsync(new Float64Array([1])))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(tx.len).toBe(0); // nothing was sent by any of them
    for (const of of ["bytes", "any"] as const) { // batches are for numeric channels only
      const [bt, br] = weft.bounded(4, { of });
      expect(catching(() => bt.sendMany(new Float64Array([1])))).toBeInstanceOf(weft.UnsupportedValueError);
      expect(catching(() => br.recvMany(new Float64Array(1)))).toBeInstanceOf(weft.UnsupportedValueError);
      expect(await rejecting(bt.sendManyAsync([1]))).toBeInstanceOf(weft.UnsupportedValueError);
      expect(bt.len).toBe(0);
      bt.close(); br.close();
    }
    expect(catching(() => rx.recvMany(new Float64Array(2)))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => rx.recvMany([0, 0] as any))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => rx.recvMany(new Int32Array(0)))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => rx.recvMany(new Int32Array(2), { timeout: NaN }))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(await rejecting(rx.recvManyAsync(new Uint32Array(2)))).toBeInstanceOf(weft.InvalidArgumentError);

    const detached = new Int32Array(4);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(catching(() => tx.sendMany(detached))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(catching(() => rx.recvMany(detached))).toBeInstanceOf(weft.InvalidArgumentError);
    tx.sendMany(new Int32Array(0)); // an empty batch is nothing to do
    expect(tx.len).toBe(0);

    tx.close();
    expect(catching(() => tx.sendMany([1]))).toBeInstanceOf(weft.DroppedError);
    rx.close();
    expect(catching(() => rx.recvMany(new Int32Array(1)))).toBeInstanceOf(weft.DroppedError);
  });

  test("drops: batches leave no heap blocks behind", async () => {
    const [tx, rx] = weft.bounded(4);
    tx.sendMany([1]); rx.recvMany(new Float64Array(1)); // this thread's scratch block exists now
    const blocks = weft.stats().heapBlocks;
    for (let i = 0; i < 50; i++) {
      tx.sendMany([1, 2, 3]);
      rx.recvMany(new Float64Array(3));
      await tx.sendManyAsync([1, 2]);
      await rx.recvManyAsync(new Float64Array(2));
      await rejecting(rx.recvManyAsync(new Float64Array(2), { timeout: 0 }));
    }
    expect(weft.stats().heapBlocks).toBe(blocks);
    tx.close(); rx.close();
  });
});
