// Channels given bad input: every mistake is a typed error, and afterwards the channel still works
// and the shared heap holds exactly what it held before (nothing sent, nothing leaked).
import { describe, test, expect } from "vitest";
import { weft, useWeft } from "./helpers";

useWeft(2);

const heap = (): number => weft.stats().heapBytes;
const KINDS = ["f64", "i32", "u32", "bytes", "any"] as const;
/** A valid message for each kind, and what receiving it gives. */
const GOOD: Record<(typeof KINDS)[number], [unknown, unknown]> = {
  f64: [0.5, 0.5], i32: [-3, -3], u32: [7, 7], bytes: [new Uint8Array([1, 2]), new Uint8Array([1, 2])], any: [{ ok: [1] }, { ok: [1] }],
};

/** The channel still carries a message both ways. */
function works(tx: weft.Sender<any>, rx: weft.Receiver<any>, kind: (typeof KINDS)[number]): void {
  const [v, expected] = GOOD[kind];
  tx.send(v);
  expect(rx.recv()).toEqual(expected);
}

describe("channel bad input", () => {
  test("capacity: negative, NaN, 1.5, Infinity, too large or a string is InvalidArgumentError", () => {
    const before = weft.stats();
    for (const of of KINDS) {
      for (const cap of [-1, -0.5, NaN, 1.5, Infinity, -Infinity, 2 ** 24 + 1, 2 ** 32, "4", null, undefined, 4n, {}]) {
        expect(() => weft.bounded(cap as any, { of } as any)).toThrow(weft.InvalidArgumentError);
        expect(() => weft.mpsc.syncChannel(cap as any, { of } as any)).toThrow(weft.InvalidArgumentError);
      }
    }
    expect(weft.stats().heapBytes).toBe(before.heapBytes);
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
  });

  test("of: an unknown payload kind is InvalidArgumentError naming the kinds", () => {
    const before = heap();
    for (const of of ["f32", "", "ANY", "string", 4, true, {}]) {
      expect(() => weft.bounded(4, { of } as any)).toThrow(weft.InvalidArgumentError);
      expect(() => weft.bounded(4, { of } as any)).toThrow(/"f64", "i32", "u32", "bytes" or "any"/);
    }
    expect(heap()).toBe(before);
    for (const of of KINDS) { // every known kind is accepted
      const [tx, rx] = weft.bounded(1, { of } as any);
      works(tx, rx, of);
      tx.close(); rx.close();
    }
    expect(heap()).toBe(before);
  });

  test("wrong payload for the channel's kind: typed errors, nothing sent, nothing allocated", () => {
    const before = heap();
    const cases: [(typeof KINDS)[number], unknown, Function][] = [
      ["f64", "1", weft.UnsupportedValueError], ["f64", 1n, weft.UnsupportedValueError],
      ["f64", new Uint8Array(1), weft.UnsupportedValueError], ["f64", undefined, weft.UnsupportedValueError],
      ["i32", "a string", weft.UnsupportedValueError], ["i32", NaN, weft.InvalidArgumentError],
      ["i32", 2 ** 31, weft.InvalidArgumentError], ["i32", -(2 ** 31) - 1, weft.InvalidArgumentError],
      ["i32", 1.5, weft.InvalidArgumentError], ["i32", Infinity, weft.InvalidArgumentError],
      ["u32", -1, weft.InvalidArgumentError], ["u32", 2 ** 32, weft.InvalidArgumentError],
      ["u32", NaN, weft.InvalidArgumentError], ["u32", null, weft.UnsupportedValueError],
      ["bytes", 42, weft.UnsupportedValueError], ["bytes", "bytes?", weft.UnsupportedValueError],
      ["bytes", [1, 2, 3], weft.UnsupportedValueError], ["bytes", { length: 2, 0: 1, 1: 2 }, weft.UnsupportedValueError],
      ["bytes", null, weft.UnsupportedValueError], ["bytes", undefined, weft.UnsupportedValueError],
      ["any", () => 0, weft.UnsupportedValueError], ["any", Symbol("s"), weft.UnsupportedValueError],
      ["any", { deep: [new WeakSet()] }, weft.UnsupportedValueError],
    ];
    for (const of of KINDS) {
      const [tx, rx] = weft.bounded(2, { of } as any);
      const base = heap();
      for (const [kind, v, E] of cases) {
        if (kind !== of) continue;
        expect(() => tx.send(v), `${of} ← ${String(v)}`).toThrow(E as any);
        expect(() => tx.trySend(v)).toThrow(E as any);
        expect(() => tx.sendTimeout(v, 1)).toThrow(E as any);
        expect(tx.len).toBe(0);
        expect(heap()).toBe(base);
      }
      works(tx, rx, of);
      tx.close(); rx.close();
    }
    expect(heap()).toBe(before);
  });

  test("wrong payload through sendAsync rejects with the same typed errors", async () => {
    const before = heap();
    const [ti, ri] = weft.bounded(1, { of: "i32" });
    await expect(ti.sendAsync(NaN)).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    await expect(ti.sendAsync("x" as any)).rejects.toBeInstanceOf(weft.UnsupportedValueError);
    const [tb, rb] = weft.bounded(1, { of: "bytes" });
    await expect(tb.sendAsync(3 as any)).rejects.toBeInstanceOf(weft.UnsupportedValueError);
    works(ti, ri, "i32"); works(tb, rb, "bytes");
    ti.close(); ri.close(); tb.close(); rb.close();
    expect(heap()).toBe(before);
  });

  test("send after close: DroppedError on the closed handle; SendError with the value once the receivers are gone", async () => {
    const before = heap();
    for (const of of KINDS) {
      const [tx, rx] = weft.bounded(2, { of } as any);
      const tx2 = tx.clone();
      tx.close();
      const [v] = GOOD[of];
      expect(() => tx.send(v)).toThrow(weft.DroppedError);
      expect(() => tx.trySend(v)).toThrow(weft.DroppedError);
      expect(() => tx.sendTimeout(v, 1)).toThrow(weft.DroppedError);
      await expect(tx.sendAsync(v)).rejects.toBeInstanceOf(weft.DroppedError);
      expect(() => tx.len).toThrow(weft.DroppedError);
      expect(() => tx.clone()).toThrow(weft.DroppedError);
      tx.close(); // idempotent
      works(tx2, rx, of); // the channel is untouched: another Sender still sends
      rx.close();
      let e: any;
      try { tx2.send(v); } catch (x) { e = x; }
      expect(e).toBeInstanceOf(weft.SendError);
      expect(e.value).toBe(v); // the very value, handed back
      try { tx2.trySend(v); } catch (x) { e = x; }
      expect([e.constructor, e.kind, e.value]).toEqual([weft.TrySendError, "Disconnected", v]);
      try { tx2.sendTimeout(v, 5); } catch (x) { e = x; }
      expect([e.constructor, e.kind, e.value]).toEqual([weft.SendTimeoutError, "Disconnected", v]);
      await expect(tx2.sendAsync(v)).rejects.toMatchObject({ name: "SendError", value: v });
      expect(tx2.isDisconnected()).toBe(true);
      tx2.close();
    }
    expect(heap()).toBe(before);
  });

  test("receive on a dropped Receiver is DroppedError; the other Receivers still receive", async () => {
    const before = heap();
    for (const of of KINDS) {
      const [tx, rx] = weft.bounded(2, { of } as any);
      const rx2 = rx.clone();
      rx.close();
      tx.send(GOOD[of][0]);
      expect(() => rx.recv()).toThrow(weft.DroppedError);
      expect(() => rx.tryRecv()).toThrow(weft.DroppedError);
      expect(() => rx.recvTimeout(1)).toThrow(weft.DroppedError);
      await expect(rx.recvAsync()).rejects.toBeInstanceOf(weft.DroppedError);
      expect(() => [...rx]).toThrow(weft.DroppedError);
      expect(tx.len).toBe(1); // the message is still there for rx2
      expect(rx2.recv()).toEqual(GOOD[of][1]);
      works(tx, rx2, of);
      tx.close(); rx2.close();
    }
    expect(heap()).toBe(before);
  });

  test("forged channel handles are InvalidHandleError; the channel is unharmed", () => {
    const before = heap();
    const [tx, rx] = weft.bounded(2, { of: "any" });
    const m = new weft.Mutex(0);
    const { ptr, gen } = tx;
    const forged = [
      { ptr: ptr + 4, gen }, { ptr: ptr - 16, gen }, { ptr, gen: gen + 1 }, { ptr, gen: gen ^ 0x8000 },
      { ptr: 12345, gen: 1 }, { ptr: 2 ** 33, gen }, { ptr: 0, gen: 0 }, { ptr: -ptr, gen },
      { ptr: m.ptr, gen: m.gen }, // a Mutex is no channel end
      { ptr: rx.ptr, gen: rx.gen }, // a Receiver end is no Sender
    ];
    for (const raw of forged) expect(() => weft.Sender.fromRaw(raw), JSON.stringify(raw)).toThrow(weft.InvalidHandleError);
    for (const raw of [...forged.slice(0, -1), { ptr, gen }]) {
      expect(() => weft.Receiver.fromRaw(raw), JSON.stringify(raw)).toThrow(weft.InvalidHandleError);
    }
    for (const raw of [null, 5, "x", { ptr: "1", gen: 1 }, { ptr: 1.5, gen: 1 }, { ptr }]) {
      expect(() => weft.Sender.fromRaw(raw as any)).toThrow(weft.InvalidArgumentError);
    }
    expect(() => new (weft.Receiver as any)()).toThrow(weft.InvalidArgumentError);
    // The Mutex and the channel are unharmed: no reference was taken or given back.
    { using g = m.lock(); expect(g.value).toBe(0); }
    works(tx, rx, "any");
    tx.close(); rx.close(); m.drop();
    expect(heap()).toBe(before);
  });

  test("timeouts: negative, NaN or not a number is InvalidArgumentError before anything is sent", async () => {
    const before = heap();
    for (const of of KINDS) {
      const [tx, rx] = weft.bounded(1, { of } as any);
      const [v] = GOOD[of];
      for (const ms of [-1, -Infinity, NaN, "5", null, 1n]) {
        expect(() => tx.sendTimeout(v, ms as any)).toThrow(weft.InvalidArgumentError);
        expect(() => rx.recvTimeout(ms as any)).toThrow(weft.InvalidArgumentError);
        if (ms === null) continue; // { timeout: null } in the async options means no timeout, like undefined
        await expect(tx.sendAsync(v, { timeout: ms as any })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
        await expect(rx.recvAsync({ timeout: ms as any })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
      }
      expect(tx.len).toBe(0);
      works(tx, rx, of);
      tx.close(); rx.close();
    }
    expect(heap()).toBe(before);
  });
});
