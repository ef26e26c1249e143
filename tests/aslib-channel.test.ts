// Channels of weft's AssemblyScript library (assembly/lib/channel.ts): kernel Sender / Receiver
// views over channel ends the engine made (what weft.bounded makes), with a kernel in one worker
// and the engine's exports (the JS side) on the main thread, or kernels on both sides.
import { describe, it, expect, beforeAll } from "vitest";
import { bootEngine, runWorkers, constant, type RawEngine } from "./fixtures/engine";
import { loadKernel, bootWithKernel, i32, genOf, claim, SUCCESS, TIMEOUT, INVALID_ARGUMENT, INVALID_HANDLE } from "./fixtures/kernel-host";
import { stress } from "./helpers";

const WORKER = new URL("./fixtures/kernel-channel-worker.mjs", import.meta.url);
let kernelModule: WebAssembly.Module;
beforeAll(() => { kernelModule = loadKernel("test-kernel-channel"); }, 120_000);

/** A bounded channel of `kind` ("CHAN_KIND_F64", …) and its two ends; the channel's own reference is given back. */
function channel(x: RawEngine, cap: number, kind = "CHAN_KIND_F64") {
  const c = x.chan_new(constant(x, "FLAVOR_ARRAY"), constant(x, kind), cap);
  const tx = x.chan_sender_new(c), rx = x.chan_receiver_new(c);
  x.obj_release(c); // the ends hold it now
  return { c, tx, rx };
}
const sumTo = (n: number) => (n * (n + 1)) / 2;
const sumOf = (r: Int32Array) => new Float64Array(r.buffer, r.byteOffset + 8, 1)[0];

describe("channels from a kernel", () => {
  it("codes: try, timeout and batch forms, len, capacity, value, checks, drop", () => {
    const { x, memory, k } = bootWithKernel(kernelModule);
    const FULL = constant(x, "FULL"), EMPTY = constant(x, "EMPTY"), DISCONNECTED = constant(x, "DISCONNECTED");
    const blocks = x.heap_blocks_used();
    const { tx, rx } = channel(x, 2);
    expect(k.chan_k_check_sender(tx, genOf(x, memory, tx))).toBe(SUCCESS);
    expect(k.chan_k_check_sender(rx, genOf(x, memory, rx))).toBe(INVALID_HANDLE); // the other side
    expect(k.chan_k_check_receiver(rx, genOf(x, memory, rx))).toBe(SUCCESS);
    expect(k.chan_k_capacity(rx)).toBe(2);
    expect(k.chan_k_try_recv(rx)).toBe(EMPTY);
    expect(k.chan_k_recv_timeout(rx, 2)).toBe(TIMEOUT);
    expect(k.chan_k_recv_timeout(rx, NaN)).toBe(INVALID_ARGUMENT);
    expect(k.chan_k_try_send(tx, 1.5)).toBe(SUCCESS);
    expect(x.chan_try_send(x.chan_end_chan(tx), 2.5)).toBe(SUCCESS); // the engine's own export, same ring
    expect(k.chan_k_len(tx)).toBe(2);
    expect(k.chan_k_try_send(tx, 3)).toBe(FULL);
    expect(k.chan_k_send_timeout(tx, 3, 2)).toBe(TIMEOUT);
    expect(k.chan_k_send_timeout(tx, 3, -1)).toBe(INVALID_ARGUMENT);
    expect(k.chan_k_try_recv(rx)).toBe(SUCCESS);
    expect(k.chan_k_value(rx)).toBe(1.5);
    expect(x.chan_try_recv(x.chan_end_chan(rx))).toBe(SUCCESS);
    expect(x.chan_value()).toBe(2.5);

    // Batches of i32 elements through an f64 channel: converted exactly.
    const buf = x.heap_alloc(64), out = x.heap_alloc(4);
    i32(memory).set([7, -8, 9], buf >>> 2);
    expect(k.chan_k_try_send_many_i32(tx, buf, 3, out)).toBe(2);
    expect(i32(memory)[out >>> 2]).toBe(FULL);
    expect(k.chan_k_recv_many_timeout_i32(rx, buf + 16, 8, 5, out)).toBe(2);
    expect(i32(memory)[out >>> 2]).toBe(SUCCESS);
    expect(Array.from(i32(memory).subarray((buf + 16) >>> 2, (buf + 24) >>> 2))).toEqual([7, -8]);
    expect(k.chan_k_recv_many_timeout_i32(rx, buf, 8, 2, out)).toBe(0);
    expect(i32(memory)[out >>> 2]).toBe(TIMEOUT);
    expect(k.chan_k_recv_many_timeout_i32(rx, buf, 8, NaN, out)).toBe(0);
    expect(i32(memory)[out >>> 2]).toBe(INVALID_ARGUMENT);
    new Float64Array(memory.buffer, buf, 4).set([1, 2, 3, 4]);
    expect(k.chan_k_send_many_timeout_f64(tx, buf, 4, 2, out)).toBe(2);
    expect(i32(memory)[out >>> 2]).toBe(TIMEOUT);

    // The kernel drops the sender (the last handle of its side): disconnected, buffered first.
    expect(k.chan_k_retain(tx)).toBe(SUCCESS);
    expect(k.chan_k_drop(tx)).toBe(1);
    expect(k.chan_k_is_disconnected(rx)).toBe(0);
    expect(k.chan_k_drop(tx)).toBe(0);
    expect(k.chan_k_is_disconnected(rx)).toBe(1);
    expect(k.chan_k_try_recv(rx)).toBe(SUCCESS);
    expect(k.chan_k_recv_timeout(rx, 1)).toBe(SUCCESS);
    expect(k.chan_k_value(rx)).toBe(2);
    expect(k.chan_k_try_recv(rx)).toBe(DISCONNECTED);
    expect(k.chan_k_recv_many_timeout_i32(rx, buf, 8, 2, out)).toBe(0);
    expect(i32(memory)[out >>> 2]).toBe(DISCONNECTED);
    x.heap_free(buf); x.heap_free(out);
    expect(x.chan_end_release(rx)).toBe(0);
    expect(x.heap_blocks_used()).toBe(blocks);
  });

  it.each(["produce", "produce-many"])("a kernel producer in a worker (%s), a JS consumer (engine exports) on the main thread", async (mode) => {
    const n = stress(200_000);
    const { module, memory, x } = bootEngine();
    const { c, tx, rx } = channel(x, 64);
    const [agent] = claim(x, 1);
    let sum = 0, bad = 0;
    const run = await runWorkers(WORKER, 1, () => ({ engineModule: module, kernelModule, memory, agent, mode, end: tx, n, batch: 100, drop: true }), () => {
      // recv_many when the producer batches, recv one by one otherwise, until disconnection.
      const DISCONNECTED = constant(x, "DISCONNECTED");
      let next = 1;
      if (mode === "produce") {
        for (;;) {
          const code = x.chan_recv(c, Infinity);
          if (code === DISCONNECTED) break;
          const v = x.chan_value();
          if (code !== SUCCESS || v !== next) bad++;
          sum += v; next++;
        }
      } else {
        const buf = x.heap_alloc(8 * 37);
        for (;;) {
          const m = x.chan_recv_many(c, buf, 37, constant(x, "CHAN_KIND_F64"), Infinity);
          if (m === 0) { if (x.chan_batch_code() !== DISCONNECTED) bad++; break; }
          const got = new Float64Array(memory.buffer, buf, m);
          for (let i = 0; i < m; i++) { if (got[i] !== next) bad++; sum += got[i]; next++; }
        }
        x.heap_free(buf);
      }
    });
    expect(run.errors).toEqual([]);
    expect(run.results[0][1]).toBe(mode === "produce" ? 0 : n);
    expect(run.results[0][4]).toBe(0); // the kernel's drop was the sender's last handle
    expect([bad, sum]).toEqual([0, sumTo(n)]);
    expect(x.chan_end_release(rx)).toBe(0);
  });

  it.each([["produce", "consume"], ["produce-many", "consume-many"]])("kernel to kernel SPSC of 1e6 f64 (%s / %s): every message once, in order, checksum", async (prod, cons) => {
    const n = stress(1_000_000);
    const { module, memory, x } = bootEngine();
    const { tx, rx } = channel(x, 1024);
    const agents = claim(x, 2);
    const blocksBefore = x.heap_blocks_used();
    const run = await runWorkers(WORKER, 2, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: i === 0 ? prod : cons, end: i === 0 ? tx : rx, n, batch: 256, drop: i === 0,
    }));
    expect(run.errors).toEqual([]);
    expect(run.results[0][1]).toBe(prod === "produce" ? 0 : n);
    expect(sumOf(run.results[1])).toBe(sumTo(n));
    expect(x.chan_end_release(rx)).toBe(0);
    expect(x.heap_blocks_used()).toBeLessThan(blocksBefore); // the channel and both ends are gone
  });

  it("disconnect wakes sender: a kernel blocked in sendMany stops when the receiver is dropped, reporting the count sent", async () => {
    const { module, memory, x } = bootEngine();
    const { c, tx, rx } = channel(x, 8);
    const [agent] = claim(x, 1);
    const run = await runWorkers(WORKER, 1, () => ({ engineModule: module, kernelModule, memory, agent, mode: "produce-many", end: tx, n: 1000, batch: 100 }), () => {
      // Take 20 messages, wait until the ring is full again (the kernel is blocked then), drop rx.
      for (let i = 0; i < 20; i++) expect(x.chan_recv(c, Infinity)).toBe(SUCCESS);
      while (x.chan_len(c) < 8) { /* the kernel refills the ring */ }
      expect(x.chan_end_release(rx)).toBe(0);
    });
    expect(run.errors).toEqual([]);
    expect(run.results[0][1]).toBe(28);
    expect(x.chan_end_release(tx)).toBe(0);
  });
});
