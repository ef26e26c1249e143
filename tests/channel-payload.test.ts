// Channel payload kinds "bytes" and "any" (message blocks in the shared heap, ts/channel/payload.ts):
// round trips across threads, weft handles inside messages (crossbeam's channel_through_channel),
// drops (every message received or dropped exactly once, its memory and handle references given
// back), failed sends that hand the value back and leak nothing. Threads synchronise through the
// channels themselves.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(4, { maximumMiB: 64 });

const heap = (): number => weft.stats().heapBytes;

/** Every structured value kind the "any" payload promises, for round trips. */
function samples(): unknown[] {
  const cyclic: any = { name: "loop" };
  cyclic.self = cyclic;
  return [
    "hello", "", "ünïcödé ✓", 0, -1.5, NaN, Infinity, true, false, null, undefined,
    123456789012345678901234567890n, -5n,
    [1, "two", [3, { four: 4 }]],
    { a: 1, b: { c: [1, 2, 3], d: "x".repeat(1000) } },
    new Map<unknown, unknown>([["k", 1], [2, { v: true }]]),
    new Set([1, "a", 3]),
    new Date(1_700_000_000_000), /ab+c/gi,
    new Float64Array([1.5, -2, 3]), new Int32Array([-1, 2, 2 ** 31 - 1]), new Uint8Array([0, 255]),
    new BigInt64Array([1n, -2n]),
    cyclic,
  ];
}

describe("payload bytes", () => {
  test("smoke: every byte source arrives as a fresh Uint8Array copy of its bytes", () => {
    const before = heap();
    const [tx, rx] = weft.bounded(16, { of: "bytes" });
    const u8 = new Uint8Array([1, 2, 3, 250]);
    const i16 = new Int16Array([1, -1]);
    const sub = new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 4);
    const dv = new DataView(new Uint8Array([4, 5, 6]).buffer, 1, 2);
    const ab = new Uint8Array([7, 7]).buffer;
    const sab = new SharedArrayBuffer(3);
    new Uint8Array(sab).set([1, 0, 1]);
    for (const v of [u8, i16, sub, dv, ab, sab, new Uint8Array(0), new ArrayBuffer(0)]) tx.send(v);
    u8[0] = 99; // the message is a copy taken at send time
    const got = Array.from({ length: 8 }, () => rx.recv());
    expect(got.map((b) => Array.from(b))).toEqual([
      [1, 2, 3, 250], Array.from(new Uint8Array(i16.buffer)), [8, 7, 6], [5, 6], [7, 7], [1, 0, 1], [], [],
    ]);
    for (const b of got) {
      expect(b).toBeInstanceOf(Uint8Array);
      expect(b.buffer).toBeInstanceOf(ArrayBuffer); // not a view of the shared heap
      expect(b.byteOffset).toBe(0);
    }
    const again = got[0];
    again[1] = 42; // a received message is the receiver's own
    tx.send(again);
    expect(Array.from(rx.recv())).toEqual([1, 42, 3, 250]);
    tx.close(); rx.close();
    expect(heap()).toBe(before);
  });

  test("round trip across threads: sizes 0..n, contents intact, in order", async () => {
    const n = stress(200);
    const before = heap();
    const [tx, rx] = weft.bounded(4, { of: "bytes" });
    const [back, backRx] = weft.bounded(4, { of: "bytes" });
    // The thread checks each message (byte k of message i is (i + k) & 255) and sends it back reversed.
    const h = weft.spawn([rx, back], (rx, back) => {
      let i = 0;
      for (const b of rx) {
        if (b.length !== i) return `length ${b.length} at ${i}`;
        for (let k = 0; k < b.length; k++) if (b[k] !== ((i + k) & 255)) return `byte ${k} of ${i}`;
        back.send(b.reverse());
        i++;
      }
      back.close();
      return i;
    });
    back.close(); rx.close();
    const sent = weft.spawn([tx, n], (tx, n) => {
      for (let i = 0; i < n; i++) tx.send(Uint8Array.from({ length: i }, (_, k) => (i + k) & 255));
    });
    tx.close();
    let i = 0;
    for (const b of backRx) {
      expect(b.length).toBe(i);
      expect(b[0] ?? -1).toBe(i === 0 ? -1 : (2 * i - 1) & 255);
      i++;
    }
    expect(i).toBe(n);
    await sent.join();
    expect(await h.join()).toBe(n);
    backRx.close();
    expect(heap()).toBe(before);
  });

  test("a SharedArray's array and a view of the shared heap send their current bytes", () => {
    const before = heap();
    const sa = weft.SharedArray.from(new Int32Array([1, 2, 3]));
    const [tx, rx] = weft.bounded(2, { of: "bytes" });
    tx.send(sa.array);
    sa.array[0] = 100;
    expect(Array.from(new Int32Array(rx.recv().buffer))).toEqual([1, 2, 3]);
    tx.close(); rx.close(); sa.drop();
    expect(heap()).toBe(before);
  });
});

describe("payload any", () => {
  test("smoke: structured values round trip (strings, objects, Map, Set, Date, bigint, typed arrays, cycles)", () => {
    const before = heap();
    const [tx, rx] = weft.bounded(64, { of: "any" });
    const vs = samples();
    for (const v of vs) tx.send(v);
    expect(tx.len).toBe(vs.length);
    for (const v of vs) expect(rx.recv()).toEqual(v);
    tx.send(undefined);
    expect(rx.tryRecv()).toBeUndefined();
    tx.send(new TypeError("boom"));
    const err = rx.recv();
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe("boom");
    const cyc = (vs[vs.length - 1] as any);
    tx.send(cyc);
    const got = rx.recv() as any;
    expect(got.self).toBe(got);
    tx.close(); rx.close();
    expect(heap()).toBe(before);
  });

  test("round trip across threads: a thread echoes every sample back", async () => {
    const before = heap();
    const [tx, rx] = weft.bounded<unknown>(2, { of: "any" });
    const [back, backRx] = weft.bounded<unknown>(2, { of: "any" });
    const h = weft.spawn([rx, back], (rx, back) => { let k = 0; for (const v of rx) { back.send(v); k++; } return k; });
    rx.close(); back.close();
    const vs = samples();
    const feeder = weft.spawn([tx, 3], (tx, laps) => {
      // The samples again, built on this thread.
      const cyclic: any = { name: "loop" };
      cyclic.self = cyclic;
      for (let lap = 0; lap < laps; lap++) {
        for (const v of [
          "hello", "", "ünïcödé ✓", 0, -1.5, NaN, Infinity, true, false, null, undefined,
          123456789012345678901234567890n, -5n,
          [1, "two", [3, { four: 4 }]],
          { a: 1, b: { c: [1, 2, 3], d: "x".repeat(1000) } },
          new Map<unknown, unknown>([["k", 1], [2, { v: true }]]),
          new Set([1, "a", 3]),
          new Date(1_700_000_000_000), /ab+c/gi,
          new Float64Array([1.5, -2, 3]), new Int32Array([-1, 2, 2 ** 31 - 1]), new Uint8Array([0, 255]),
          new BigInt64Array([1n, -2n]),
          cyclic,
        ]) tx.send(v);
      }
    });
    tx.close();
    const got: unknown[] = [];
    for await (const v of backRx) got.push(v);
    await feeder.join();
    expect(await h.join()).toBe(3 * vs.length);
    expect(got).toEqual([...vs, ...vs, ...vs]);
    backRx.close();
    expect(heap()).toBe(before);
  });

  test("handles inside messages arrive usable on the receiving thread; the sender's stay usable", async () => {
    const before = heap();
    const m = new weft.Mutex({ hits: 0 });
    const sa = new weft.SharedArray(Int32Array, 4);
    const at = new weft.AtomicI32(10);
    const [tx, rx] = weft.bounded(4, { of: "any" });
    const h = weft.spawn([rx], (rx) => {
      const w = (globalThis as any).weft;
      const msg = rx.recv() as any;
      const g = msg.m.lock(); g.value = { hits: g.value.hits + 1, from: msg.note }; g.unlock();
      msg.list[0].array[2] = 7;
      msg.list[1].fetchAdd(5, w.Ordering.SeqCst);
      const kinds = [msg.m, ...msg.list].map((x: any) => x instanceof w.SharedHandle);
      msg.m.drop(); for (const x of msg.list) x.drop();
      return kinds;
    });
    rx.close();
    tx.send({ note: "ping", m, list: [sa, at] });
    expect(await h.join()).toEqual([true, true, true]);
    // The sender's handles were not moved: still usable, and they see the thread's writes.
    { using g = m.lock(); expect(g.value).toEqual({ hits: 1, from: "ping" }); }
    expect(sa.array[2]).toBe(7);
    expect(at.load(weft.Ordering.SeqCst)).toBe(15);
    tx.close(); m.drop(); sa.drop(); at.drop();
    expect(heap()).toBe(before);
  });

  test("a Sender through a channel: the receiving thread answers on it", async () => {
    const before = heap();
    const [jobs, jobsRx] = weft.bounded(2, { of: "any" });
    const worker = weft.spawn([jobsRx], (jobsRx) => {
      let served = 0;
      for (const job of jobsRx as any) {
        job.reply.send(job.x * job.x);
        job.reply.close();
        served++;
      }
      return served;
    });
    jobsRx.close();
    const n = stress(50);
    for (let x = 0; x < n; x++) {
      const [reply, replyRx] = weft.bounded(1, { of: "i32" });
      jobs.send({ x, reply });
      reply.close(); // the message holds the other handle
      expect(replyRx.recv()).toBe(x * x);
      expect(() => replyRx.recv()).toThrow(weft.RecvError); // the worker dropped its copy
      replyRx.close();
    }
    jobs.close();
    expect(await worker.join()).toBe(n);
    expect(heap()).toBe(before);
  });

  test("channel_through_channel: each message carries the Receiver of the next channel", async () => {
    const count = stress(300);
    const before = heap();
    const [s, r] = weft.bounded(1, { of: "any" });
    const a = weft.spawn([s, count], (s: any, count: number) => {
      const w = (globalThis as any).weft;
      for (let i = 0; i < count; i++) {
        const [ns, nr] = w.bounded(1, { of: "any" });
        s.send(nr);
        nr.close();
        s.close();
        s = ns;
      }
      s.close();
    });
    const b = weft.spawn([r, count], (r: any, count: number) => {
      for (let i = 0; i < count; i++) {
        const nr = r.recv();
        r.close();
        r = nr;
      }
      // The last channel got no message: recv waits until the producer drops its last Sender.
      let last = false;
      try { r.recv(); } catch (e) { last = e instanceof (globalThis as any).weft.RecvError; }
      r.close();
      return last;
    });
    s.close(); r.close();
    await a.join();
    expect(await b.join()).toBe(true);
    expect(heap()).toBe(before);
  });

  test("async: recvAsync and sendAsync carry structured values and handles", async () => {
    const before = heap();
    const [tx, rx] = weft.bounded(1, { of: "any" });
    const m = new weft.Mutex(0);
    const got = rx.recvAsync();
    const h = weft.spawn([tx, m], (tx, m) => { tx.send({ m, s: "first" }); tx.send(new Map([[1, m]])); });
    const first = (await got) as any;
    expect(first.s).toBe("first");
    expect(first.m).toBeInstanceOf(weft.Mutex);
    const second = (await rx.recvAsync()) as Map<number, any>;
    expect(second.get(1)).toBeInstanceOf(weft.Mutex);
    await h.join();
    { using g = second.get(1).lock(); g.value = 3; }
    { using g = first.m.lock(); expect(g.value).toBe(3); }
    first.m.drop(); second.get(1).drop();
    await tx.sendAsync(["x", 1n]);
    const pending = tx.sendAsync({ waits: true }); // full: waits for the thread below
    const c = weft.spawn([rx], (rx) => [rx.recv(), rx.recv()]);
    await pending;
    expect(await c.join()).toEqual([["x", 1n], { waits: true }]);
    tx.close(); rx.close(); m.drop();
    expect(heap()).toBe(before);
  });
});

describe("payload drops", () => {
  test.each([
    ["bounded(8)", 5, () => weft.bounded(8, { of: "any" })],
    ["unbounded (two blocks)", 40, () => weft.unbounded({ of: "any" })],
  ] as const)("drops: buffered messages are freed with the channel, handles inside given back: %s", (_name, n, make) => {
    const before = heap();
    const [tx, rx] = make();
    const raws: { ptr: number; gen: number }[] = [];
    for (let i = 0; i < n; i++) {
      // The message holds the only reference to each object once the local handles are dropped.
      const m = new weft.Mutex({ i, pad: "p".repeat(500) });
      const sa = new weft.SharedArray(Float64Array, 100);
      raws.push({ ptr: m.ptr, gen: m.gen }, { ptr: sa.ptr, gen: sa.gen });
      tx.send({ i, m, sa });
      m.drop(); sa.drop();
    }
    expect(heap()).toBeGreaterThan(before);
    tx.close();
    rx.close(); // the last end: the buffered messages are dropped, and with them the objects
    expect(heap()).toBe(before);
    for (let k = 0; k < raws.length; k += 2) {
      expect(() => weft.Mutex.fromRaw(raws[k])).toThrow(weft.InvalidHandleError);
      expect(() => weft.SharedArray.fromRaw(raws[k + 1])).toThrow(weft.InvalidHandleError);
    }
  });

  test("drops: bytes messages left in the channel are freed when the last end drops", () => {
    const before = heap();
    const [tx, rx] = weft.bounded(4, { of: "bytes" });
    for (let i = 0; i < 4; i++) tx.send(new Uint8Array(1000 * i));
    rx.close(); // receivers gone first, the senders' drop frees
    expect(() => tx.send(new Uint8Array(1))).toThrow(weft.SendError);
    tx.close();
    expect(heap()).toBe(before);
  });

  test("drops: every message is received or dropped exactly once, its memory and handles freed", async () => {
    const rounds = stress(20);
    const before = heap();
    for (let round = 0; round < rounds; round++) {
      const cap = 1 + (round % 7);
      const sent = 3 * cap + round;
      const take = (round * 5) % sent; // how many the consumer receives before everything drops
      const counter = new weft.AtomicI32(0); // one count per message received
      const [tx, rx] = weft.bounded(cap, { of: "any" });
      const [ack, ackRx] = weft.bounded(1, { of: "i32" });
      // The producer sends `sent` messages, each holding its own Mutex; it blocks while the
      // channel is full and stops at Disconnected (the consumer dropped the Receiver).
      const producer = weft.spawn([tx, sent], (tx: any, sent: number) => {
        const w = (globalThis as any).weft;
        let ok = 0;
        for (let i = 0; i < sent; i++) {
          const m = new w.Mutex(i);
          try { tx.send({ i, m }); ok++; } catch (e: any) {
            if (!(e instanceof w.SendError) || e.value.m !== m) throw e;
          }
          m.drop();
        }
        return ok;
      });
      tx.close();
      const consumer = weft.spawn([rx, take, counter, ack], (rx: any, take: number, counter: any, ack: any) => {
        const w = (globalThis as any).weft;
        for (let k = 0; k < take; k++) {
          const msg = rx.recv();
          { const g = msg.m.lock(); if (g.value !== k) throw new Error(`message ${k} holds ${g.value}`); g.unlock(); }
          msg.m.drop();
          counter.fetchAdd(1, w.Ordering.SeqCst);
        }
        ack.send(take);
        rx.close(); // the last Receiver: buffered messages are dropped here, on this thread
      });
      rx.close(); ack.close();
      expect(ackRx.recv()).toBe(take);
      await consumer.join();
      const ok = (await producer.join()) as number;
      // Sent successfully = received + buffered when the Receiver dropped; all gone now.
      expect(ok).toBeGreaterThanOrEqual(take);
      expect(ok).toBeLessThanOrEqual(take + cap);
      expect(counter.load(weft.Ordering.SeqCst)).toBe(take);
      counter.drop(); ackRx.close();
    }
    expect(heap()).toBe(before);
  });

  test("drops: a channel inside a dropped message is freed with its own buffered messages", () => {
    const before = heap();
    const [outer, outerRx] = weft.bounded(2, { of: "any" });
    const [inner, innerRx] = weft.bounded(2, { of: "bytes" });
    inner.send(new Uint8Array(256));
    inner.close();
    outer.send({ rx: innerRx });
    innerRx.close();
    outer.close();
    outerRx.close();
    expect(heap()).toBe(before);
  });

  test("drops: a long chain of channels, each buffered inside the previous one, is freed in full", () => {
    const depth = 20_000; // far deeper than a recursive drop's stack would allow
    const before = heap();
    const [head, headRx] = weft.bounded(1, { of: "any" });
    let tx = head;
    for (let i = 0; i < depth; i++) {
      const [ntx, nrx] = weft.bounded(1, { of: "any" });
      tx.send({ i, next: nrx });
      nrx.close(); tx.close();
      tx = ntx;
    }
    const m = new weft.Mutex("end");
    tx.send({ last: m });
    tx.close(); m.drop();
    headRx.close(); // frees every channel of the chain, their messages and the Mutex
    expect(heap()).toBe(before);
  });
});

describe("payload failed sends", () => {
  test("try_send Full / Disconnected hand the original value back and leak nothing", () => {
    const before = heap();
    const m = new weft.Mutex("kept");
    const [tx, rx] = weft.bounded(1, { of: "any" });
    tx.send("occupant");
    const value = { m, text: "y".repeat(300) };
    let e: any;
    try { tx.trySend(value); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.TrySendError);
    expect(e.kind).toBe("Full");
    expect(e.value).toBe(value);
    expect(tx.len).toBe(1);
    expect(rx.recv()).toBe("occupant");
    rx.close();
    try { tx.trySend(value); } catch (x) { e = x; }
    expect([e.kind, e.value]).toEqual(["Disconnected", value]);
    try { tx.send(value); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.SendError);
    expect(e.value).toBe(value);
    tx.close();
    { using g = m.lock(); expect(g.value).toBe("kept"); } // the handle in the value is intact
    m.drop(); // ... and was the only reference left: nothing retained by the failed sends
    expect(heap()).toBe(before);
  });

  test("send_timeout and sendAsync timeouts hand the value back and leak nothing (bytes and any)", async () => {
    const before = heap();
    for (const of of ["bytes", "any"] as const) {
      const [tx, rx] = weft.bounded<unknown>(1, { of } as any);
      const fill = of === "bytes" ? new Uint8Array([1]) : { fill: 1 };
      tx.send(fill);
      const value = of === "bytes" ? new Uint8Array(5000) : { big: "z".repeat(5000), sa: new weft.SharedArray(Int8Array, 8) };
      let e: any;
      try { tx.sendTimeout(value, 5); } catch (x) { e = x; }
      expect(e).toBeInstanceOf(weft.SendTimeoutError);
      expect([e.kind, e.value]).toEqual(["Timeout", value]);
      try { tx.sendTimeout(value, 0); } catch (x) { e = x; }
      expect(e.kind).toBe("Timeout");
      await expect(tx.sendAsync(value, { timeout: 5 })).rejects.toMatchObject({ name: "SendTimeoutError", kind: "Timeout", value });
      expect(tx.len).toBe(1);
      rx.close();
      try { tx.sendTimeout(value, 5); } catch (x) { e = x; }
      expect([e.kind, e.value]).toEqual(["Disconnected", value]);
      await expect(tx.sendAsync(value)).rejects.toMatchObject({ name: "SendError", value });
      tx.close();
      (value as any).sa?.drop();
    }
    expect(heap()).toBe(before);
  });

  test("a parked sendAsync rejected by disconnection gives its message's handles back", async () => {
    const before = heap();
    const [tx, rx] = weft.bounded(1, { of: "any" });
    tx.send(0);
    const m = new weft.Mutex(1);
    const parked = tx.sendAsync({ m });
    m.drop(); // the parked message holds the only other reference
    rx.close();
    await expect(parked).rejects.toBeInstanceOf(weft.SendError);
    tx.close();
    expect(heap()).toBe(before);
  });

  test("try_send of an unencodable value leaves the channel untouched", () => {
    const before = heap();
    const [tx, rx] = weft.bounded(4, { of: "any" });
    tx.send("first");
    const m = new weft.Mutex(5);
    const g = m.lock();
    const bad: [unknown, Function][] = [
      [() => 1, weft.UnsupportedValueError],
      [{ m, f() {} }, weft.UnsupportedValueError], // the handle's reference taken first is given back
      [[m, Symbol("s")], weft.UnsupportedValueError],
      [new WeakMap(), weft.UnsupportedValueError],
      [Promise.resolve(1), weft.UnsupportedValueError],
      [{ guard: g }, weft.NotSendError],
    ];
    const lenBefore = heap();
    for (const [v, E] of bad) {
      expect(() => tx.trySend(v)).toThrow(E as any);
      expect(() => tx.send(v)).toThrow(E as any);
      expect(tx.len).toBe(1);
      expect(heap()).toBe(lenBefore);
    }
    g.unlock();
    expect(rx.recv()).toBe("first");
    tx.send({ m }); // the channel still works
    const got = rx.recv() as any;
    got.m.drop();
    m.drop();
    tx.close(); rx.close();
    expect(heap()).toBe(before);
  });

  test("out of memory: a message too big for the heap is OutOfMemoryError, nothing sent", () => {
    const before = weft.stats();
    const [tx, rx] = weft.bounded(2, { of: "bytes" });
    const [ta, ra] = weft.bounded(2, { of: "any" });
    const huge = new Uint8Array(65 * 1024 * 1024);
    expect(() => tx.send(huge)).toThrow(weft.OutOfMemoryError);
    expect(() => ta.trySend({ huge })).toThrow(weft.OutOfMemoryError);
    expect(tx.len + ta.len).toBe(0);
    tx.send(new Uint8Array([1]));
    expect(Array.from(rx.recv())).toEqual([1]);
    tx.close(); rx.close(); ta.close(); ra.close();
    expect(weft.stats().heapBytes).toBe(before.heapBytes);
  });
});
