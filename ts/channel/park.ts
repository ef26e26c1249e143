// How a channel operation waits without blocking its thread: the two async parking loops every
// async channel operation shares (sendAsync / recvAsync / the batch forms / selectAsync / the
// rendezvous forms). Callers hold their own references to the ends involved while parked.
import { views } from "../engine";
import { Code } from "../errors";
import { waitAsync } from "../keepalive";

/**
 * Runs `step` until it stops answering WOULD_BLOCK, parked with Atomics.waitAsync on the waker
 * SEQ word at `c + seqOffset` between tries; `done` withdraws the sleeper each WOULD_BLOCK step
 * announced. Returns the step's final code, or TIMEOUT after `timeout` ms.
 */
export async function parkOnSeq(c: number, seqOffset: number, step: () => number, done: () => void, timeout: number): Promise<number> {
  const deadline = performance.now() + timeout;
  const idx = (c + seqOffset) >>> 2;
  for (;;) {
    const i32 = views().i32;
    const seen = Atomics.load(i32, idx); // before the step's announce: see waker.ts
    const code = step();
    if (code !== Code.WOULD_BLOCK) return code;
    try {
      const left = deadline - performance.now();
      if (left <= 0) return Code.TIMEOUT;
      await waitAsync(i32, idx, seen, left); // pairs with wakeOne / wakeMany / wakeAll in waker.ts
    } finally {
      done(); // withdraws the sleeper the step announced
    }
  }
}

/**
 * Waits until the SELECT word of context `ctx` leaves `waiting` (a peer selected, aborted or
 * disconnected it: context.ts) or `deadline` (performance.now() ms) passes. The caller finishes
 * the operation afterwards (that call unregisters everything and frees the context).
 */
export async function awaitSelected(ctx: number, selectOffset: number, waiting: number, deadline: number): Promise<void> {
  const idx = (ctx + selectOffset) >>> 2;
  for (;;) {
    const i32 = views().i32;
    const left = deadline - performance.now();
    if (Atomics.load(i32, idx) !== waiting || left <= 0) return;
    await waitAsync(i32, idx, waiting, left); // pairs with ctxWake (context.ts)
  }
}
