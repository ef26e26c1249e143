// The codec's shared record structures (ts/codec.ts, assembly/abi/codec.ts): every thread of an
// engine encodes objects as records whose key lists ("structures") live in the engine header, so
// threads must agree on them while several add new ones at once. Checked here: many threads
// adding many shapes concurrently (more than the 32 that are shared), every message decoded
// right on another thread and re-encoded there; every structured kind the codec carries; lock
// values (compared by bytes on write-back) across the change from inline to shared structures;
// a new engine after shutdown starting from an empty store. Threads synchronise through channels
// and barriers.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(4, { maximumMiB: 64 });

/**
 * Object number `i` of shape `k` made by thread `t` (self-contained: spawned functions get it as
 * source). Shapes differ per thread and per k in their key names, some nest a second shape.
 */
function makeObj(t: number, k: number, i: number): Record<string, unknown> {
  const o: Record<string, unknown> = { t, k, i };
  for (let j = 0; j <= k % 5; j++) o[`t${t}_k${k}_f${j}`] = j % 2 === 0 ? i * j : `s${i}-${j}`;
  if (k % 3 === 0) o.inner = { [`in_t${t}_k${k}`]: [i, { deep: i, [`d${k}`]: true }] };
  if (k % 4 === 1) o.list = [{ a: i }, { a: i + 1, [`b${t}`]: null }];
  return o;
}
const MAKE = makeObj.toString();

describe("shared record structures", () => {
  test("mpmc stress: threads adding many shapes at once; every message decodes right elsewhere", async () => {
    const producers = 3, shapes = 24, rounds = stress(20); // 3 x 24 = 72 shapes > 32 shared
    const [tx, rx] = weft.bounded(64, { of: "any" });
    const [echoTx, echoRx] = weft.bounded(64, { of: "any" });
    const start = new weft.Barrier(producers);
    const hs = [];
    for (let t = 0; t < producers; t++) {
      hs.push(weft.spawn([tx, start, t, shapes, rounds, MAKE], (tx, start, t, shapes, rounds, make) => {
        const makeObj = new Function(`return (${make})`)();
        start.wait(); // all producers meet their first new shapes at the same moment
        for (let i = 0; i < rounds; i++) for (let k = 0; k < shapes; k++) tx.send(makeObj(t, k, i));
        return 0;
      }));
    }
    tx.close();
    // A consumer thread checks each message against the object it should be, then re-encodes
    // it (with the structures it learned by decoding) for the main thread to check again.
    const checker = weft.spawn([rx, echoTx, MAKE], (rx, echoTx, make) => {
      const makeObj = new Function(`return (${make})`)();
      let bad = 0, n = 0;
      for (const o of rx) {
        if (JSON.stringify(o) !== JSON.stringify(makeObj(o.t, o.k, o.i))) bad++;
        echoTx.send(o);
        n++;
      }
      return [n, bad];
    });
    rx.close();
    echoTx.close();
    let n = 0, bad = 0;
    for (const o of echoRx as Iterable<any>) {
      if (JSON.stringify(o) !== JSON.stringify(makeObj(o.t, o.k, o.i))) bad++;
      n++;
    }
    echoRx.close();
    for (const h of hs) expect(await h.join()).toBe(0);
    expect(await checker.join()).toEqual([producers * shapes * rounds, 0]);
    expect([n, bad]).toEqual([producers * shapes * rounds, 0]);
  });

  test("every structured kind round-trips beside shared shapes, nested and repeated", async () => {
    class Point { x = 1; y = 2; }
    const cyclic: any = { name: "loop", pos: { x: 1, y: 2 } };
    cyclic.self = cyclic;
    const shared = { x: 5, y: 6 };
    const values: unknown[] = [
      { x: 1, y: 2 }, [{ x: 1, y: 2 }, { x: 3, y: 4 }, { y: 5, x: 6 }], { a: { x: 1, y: 2 }, b: [shared, shared] },
      new Map<unknown, unknown>([["k", { x: 1, y: 2 }], [{ x: 0, y: 0 }, 1]]), new Set([{ x: 1, y: 2 }]),
      new Date(1_700_000_000_000), /ab+c/gi, new Error("boom"), 12345678901234567890n,
      new Float64Array([1.5, -2]), new Uint8Array([0, 255, 7]), new BigInt64Array([1n, -2n]),
      { empty: {}, und: undefined, nul: null, nan: NaN, str: "ünïcödé ✓" },
      new Point(), cyclic, {}, [], "", 0,
    ];
    const [tx, rx] = weft.bounded(values.length, { of: "any" });
    const [backTx, backRx] = weft.bounded(values.length, { of: "any" });
    const h = weft.spawn([rx, backTx], (rx, back) => { let k = 0; for (const v of rx) { back.send(v); k++; } return k; });
    rx.close(); backTx.close();
    for (const v of values) tx.send(v);
    tx.close();
    const got: unknown[] = [];
    for (const v of backRx) got.push(v);
    backRx.close();
    expect(await h.join()).toBe(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i], g = got[i] as any;
      if (v instanceof Error) { expect(g).toBeInstanceOf(Error); expect(g.message).toBe("boom"); continue; }
      if (v instanceof Point) { expect(g).toEqual({ x: 1, y: 2 }); continue; }
      expect(g).toEqual(v);
    }
    const back = got[2] as any;
    expect(back.b[0]).toBe(back.b[1]); // a repeated object is still one object
    const loop = got[14] as any;
    expect(loop.self).toBe(loop);
  });

  test("more shapes than are shared, and huge key lists, still travel (inline structures)", async () => {
    const [tx, rx] = weft.bounded(8, { of: "any" });
    const [backTx, backRx] = weft.bounded(8, { of: "any" });
    const h = weft.spawn([rx, backTx], (rx, back) => { for (const v of rx) back.send(v); return 0; });
    rx.close(); backTx.close();
    const huge: Record<string, number> = {};
    for (let j = 0; j < 500; j++) huge[`a_rather_long_key_name_number_${j}`] = j;
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < 80; k++) {
        const o = k % 20 === 7 ? { ...huge, k } : { [`only_${k}`]: k, [`also_${k}`]: [k], round };
        tx.send(o);
        expect(backRx.recv()).toEqual(o);
      }
    }
    tx.close();
    expect(await h.join()).toBe(0);
    backRx.close();
  });

  test("lock values of a shape that becomes shared read back equal on other threads", async () => {
    // The value is stored with an inline structure first (a shape nobody shared yet), then
    // written back after the shape was shared: different bytes, same value (encodeUnlessSame).
    const m = new weft.Mutex<any>({ lockShape_a: 1, lockShape_b: "x" });
    const [tx, rx] = weft.bounded(4, { of: "any" });
    tx.send({ lockShape_a: 0, lockShape_b: "y" }); // shares the shape
    expect(rx.recv()).toEqual({ lockShape_a: 0, lockShape_b: "y" });
    { using g = m.lock(); g.value = { ...g.value }; g.value = { lockShape_a: 2, lockShape_b: "z" }; }
    { using g = m.lock(); g.value = g.value; } // an unchanged write-back
    const h = weft.spawn([m], (m: any) => {
      const g = m.lock();
      const v = g.value;
      g.value = { lockShape_b: v.lockShape_b + "!", lockShape_a: v.lockShape_a + 1 }; // a new key order: a new shape
      g.unlock();
      return v;
    });
    expect(await h.join()).toEqual({ lockShape_a: 2, lockShape_b: "z" });
    using g = m.lock();
    expect(g.value).toEqual({ lockShape_b: "z!", lockShape_a: 3 });
    tx.close(); rx.close();
  });

  test("a new engine starts from an empty store (shutdown, then init), round after round", async () => {
    const rounds = stress(3);
    for (let r = 0; r < rounds; r++) {
      await weft.shutdown();
      await weft.init({ threads: 4, memory: { maximumMiB: 64 } });
      const before = weft.stats().heapBytes;
      // The main thread's codec shared these shapes in the previous engine: it must not assume
      // the new engine's threads know them. Two workers add shapes at the same time as it does,
      // each message carrying a handle: an encoding redone after losing the race to publish its
      // structures must take the handle's reference once, not twice.
      const m = new weft.Mutex(7);
      const [tx, rx] = weft.bounded(256, { of: "any" });
      const go = new weft.Barrier(3);
      const hs = [0, 1].map((t) => weft.spawn([tx, go, m, t + 10, MAKE], (tx, go, m, t, make) => {
        const makeObj = new Function(`return (${make})`)();
        go.wait();
        for (let k = 0; k < 12; k++) tx.send({ ...makeObj(t, k, k), m });
        return 0;
      }));
      const check = weft.spawn([rx, MAKE], (rx, make) => {
        const makeObj = new Function(`return (${make})`)();
        let bad = 0, n = 0;
        for (const o of rx) {
          n++;
          const g = o.m.lock();
          if (g.value !== 7) bad++;
          g.unlock();
          o.m.drop();
          delete o.m;
          if (JSON.stringify(o) !== JSON.stringify(makeObj(o.t, o.k, o.i))) bad++;
        }
        return [n, bad];
      });
      rx.close();
      go.wait();
      for (let k = 0; k < 24; k++) tx.send({ ...makeObj(0, k, k), m });
      tx.close();
      for (const h of hs) expect(await h.join()).toBe(0);
      expect(await check.join()).toEqual([24 + 2 * 12, 0]);
      go.drop();
      m.drop();
      expect(weft.stats().heapBytes).toBe(before); // the mutex too: every reference was given back
    }
  });
});
