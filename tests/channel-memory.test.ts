// Unbounded channels and the shared heap: the list flavor allocates a block per 31 messages on
// demand and frees each block once its messages are received, so the heap returns to its
// baseline after any amount of traffic; a channel dropped with messages buffered frees its
// blocks; and a send that cannot get a block fails with OutOfMemoryError, sending nothing.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(2, { maximumMiB: 64 });

const BLOCK_MSGS = 31;

function heap(): { bytes: number; blocks: number } {
  const s = weft.stats();
  return { bytes: s.heapBytes, blocks: s.heapBlocks };
}

describe("unbounded channel memory", () => {
  test("warm-up: a spawn round trip leaves the heap where it was", async () => {
    // Threads and their first tasks may allocate once (caches); later spawns must not.
    await Promise.all([weft.spawn(() => 0).join(), weft.spawn(() => 0).join()]);
    const before = heap();
    await Promise.all([weft.spawn(() => 0).join(), weft.spawn(() => 0).join()]);
    expect(heap()).toEqual(before);
  });

  test("1e6 messages sent, then received in batches by two threads: the heap is back to its baseline", async () => {
    const n = 1_000_000;
    const rounds = stress(1);
    const baseline = heap();
    for (let round = 0; round < rounds; round++) {
      const [tx, rx] = weft.unbounded({ of: "u32" });
      for (let i = 0; i < n; i++) tx.send(i);
      expect(rx.len).toBe(n);
      // n messages hold about n / 31 blocks of the heap.
      expect(heap().bytes - baseline.bytes).toBeGreaterThan((n / BLOCK_MSGS) * 504);
      tx.close();
      // Two receivers take batches of 1000 (receive, then report) until the channel is drained.
      const hs = [0, 1].map(() => weft.spawn([rx], (rx) => {
        let sum = 0, count = 0, batches = 0;
        for (;;) {
          let k = 0;
          for (; k < 1000; k++) {
            let v: number;
            try { v = rx.recv(); } catch { break; } // RecvError: drained and disconnected
            sum += v; count++;
          }
          if (k > 0) batches++;
          if (k < 1000) return [sum, count, batches];
        }
      }));
      rx.close();
      const rs = (await Promise.all(hs.map((h) => h.join()))) as [number, number, number][];
      expect(rs[0][1] + rs[1][1]).toBe(n);
      expect(rs[0][0] + rs[1][0]).toBe((n * (n - 1)) / 2);
      expect(heap()).toEqual(baseline);
    }
  });

  test("1e6 messages interleaved between a producer and a consumer thread: blocks are freed as received", async () => {
    const n = 1_000_000;
    const rounds = stress(1);
    const baseline = heap();
    for (let round = 0; round < rounds; round++) {
      const [tx, rx] = weft.unbounded({ of: "i32" });
      const p = weft.spawn([tx, n], (tx, n) => { for (let i = 0; i < n; i++) tx.send(i); });
      const c = weft.spawn([rx, n], (rx, n) => {
        let next = 0;
        for (const v of rx) { if (v !== next) return [false, next, v]; next++; }
        return [true, next];
      });
      tx.close(); rx.close();
      await p.join();
      expect(await c.join()).toEqual([true, n]);
      expect(heap()).toEqual(baseline);
    }
  });

  test("interleaved on one thread with a steady backlog: the heap holds only the backlog's blocks", () => {
    const baseline = heap();
    const [tx, rx] = weft.unbounded();
    for (let i = 0; i < 100; i++) tx.send(i);
    const withBacklog = heap();
    let peak = withBacklog.bytes;
    for (let i = 100; i < 1_000_000; i++) {
      tx.send(i);
      if (rx.recv() !== i - 100) throw new Error(`out of order at ${i}`);
      if ((i & 0xFFF) === 0) peak = Math.max(peak, heap().bytes);
    }
    // Never more than one block beyond what the backlog needed (the sender pre-allocates one).
    expect(peak - withBacklog.bytes).toBeLessThanOrEqual(512);
    tx.close();
    for (let i = 0; i < 100; i++) rx.recv();
    rx.close();
    expect(heap()).toEqual(baseline);
  });

  test("dropping a channel with 1e5 buffered messages frees every block", () => {
    const baseline = heap();
    for (const dropFirst of ["sender", "receiver"]) {
      const [tx, rx] = weft.unbounded();
      for (let i = 0; i < 100_000; i++) tx.send(i);
      for (let i = 0; i < 40; i++) rx.recv(); // a partly received first block
      expect(heap().blocks - baseline.blocks).toBeGreaterThanOrEqual(Math.ceil(99_960 / BLOCK_MSGS));
      if (dropFirst === "sender") { tx.close(); rx.close(); } else { rx.close(); tx.close(); }
      expect(heap()).toEqual(baseline);
    }
  });

  test("out of memory: a send that cannot get a block throws OutOfMemoryError, sends nothing, and the channel keeps working", () => {
    const baseline = heap();
    const [tx, rx] = weft.unbounded({ of: "u32" });
    // Fill the heap (64 MiB maximum) with messages until a block cannot be allocated.
    let sent = 0;
    let err: any;
    for (;;) {
      try { tx.send(sent); } catch (e) { err = e; break; }
      sent++;
    }
    expect(err).toBeInstanceOf(weft.OutOfMemoryError);
    expect(sent % BLOCK_MSGS).toBe(BLOCK_MSGS - 1); // only the send into a block's last slot allocates
    expect(rx.len).toBe(sent); // the failed message was not sent
    expect(() => tx.trySend(sent)).toThrow(weft.OutOfMemoryError);
    expect(rx.len).toBe(sent);
    expect(tx.isDisconnected()).toBe(false);
    // Receiving a block's worth of messages frees the first block: sends work again.
    for (let i = 0; i < BLOCK_MSGS; i++) expect(rx.recv()).toBe(i);
    for (let i = 0; i < 10; i++) tx.send(sent + i);
    let next = BLOCK_MSGS;
    for (let i = 0; i < 1000; i++) expect(rx.recv()).toBe(next++);
    // Receive the rest in order: exactly what was sent, once.
    tx.close();
    for (const v of rx) { if (v !== next) throw new Error(`got ${v}, expected ${next}`); next++; }
    expect(next).toBe(sent + 10);
    rx.close();
    expect(heap()).toEqual(baseline);
  });
});
