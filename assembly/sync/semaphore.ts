// Semaphore: a counting semaphore (permits), futex-based.
//
//   +0  object header (tag TAG_SEMAPHORE, gen, refs, aux unused)
//   +16 PERMITS  i32 >= 0   available permits; the futex word sleepers wait on (while it is 0)
//   +20 WAITERS  u32        operations announced as (about to be) asleep on PERMITS: a blocked
//                           thread counts 1 (bits 0..7: at most MAX_AGENTS = 128 of them), an
//                           async acquire (the host's Atomics.waitAsync) ASYNC_WAITER = 2^8
//
// acquire: cmpxchg PERMITS p -> p - 1 while p > 0. With no permit it spins a little, then
// announces itself in WAITERS and sleeps on PERMITS == 0. release(n): adds n (cmpxchg, refusing
// overflow), then, if WAITERS > 0, wakes n sleepers plus one per announced async acquire.
//
// Why the extra wake-ups: Atomics.notify wakes the waiters of a word in FIFO order over blocking
// and async ones alike, and an async acquire acts on its wake-up only when its thread's event
// loop runs, which may be much later (that thread may be blocked in something else). Woken
// alone, it would leave a blocked thread asleep beside the free permit. An async acquire is
// announced before the host queues its wait and withdrawn only after that wait ended, so every
// async waiter queued before the releaser's read of WAITERS is counted in it (the one channels
// use: assembly/channel/waker.ts). A woken sleeper that finds no permit sleeps again.
//
// No lost wake-up (all wasm atomics are SeqCst, a Dekker pair): a sleeper increments WAITERS
// *then* sleeps only while PERMITS is still 0; a releaser adds to PERMITS *then* reads WAITERS.
// Either the releaser sees the sleeper's increment and wakes it, or its addition came first and
// the sleeper's wait sees PERMITS != 0 and returns at once. A woken thread that loses the permit
// to a newcomer simply sleeps again (the permit was not lost, someone took it).
import { load32, cas32, add32, sub32 } from "./atomic";
import { futexWait, futexWake, spin, TIMED_OUT } from "./futex";
import { SUCCESS, WOULD_BLOCK, TIMEOUT, INVALID_ARGUMENT } from "../layout";

export const S_PERMITS: usize = 16;
export const S_WAITERS: usize = 20;
export const SEMAPHORE_SIZE: usize = 24;
/** Most permits a semaphore can hold (PERMITS is an i32). */
export const SEMAPHORE_MAX: i32 = i32.MAX_VALUE;
/** What an async acquire counts in WAITERS (above the blocked threads' 8 bits). */
export const SEM_ASYNC_WAITER: i32 = 1 << 8;

/** One attempt: SUCCESS (a permit taken) or WOULD_BLOCK. */
export function semTryAcquire(s: usize): i32 {
  let p = load32(s + S_PERMITS);
  while (p > 0) {
    const seen = cas32(s + S_PERMITS, p, p - 1);
    if (seen == p) return SUCCESS;
    p = seen;
  }
  return WOULD_BLOCK;
}

/** Blocks until a permit is taken or `deadline`: SUCCESS or TIMEOUT. */
// @ts-ignore: decorator
@inline export function semAcquire(s: usize, deadline: f64): i32 {
  if (semTryAcquire(s) == SUCCESS) return SUCCESS;
  return semAcquireCold(s, deadline);
}

function semAcquireCold(s: usize, deadline: f64): i32 {
  for (let r = 0; spin(r); r++) {
    if (load32(s + S_PERMITS) > 0 && semTryAcquire(s) == SUCCESS) return SUCCESS;
  }
  for (;;) {
    add32(s + S_WAITERS, 1);
    // Pairs with the futexWake in semRelease (see the header: WAITERS before the wait).
    const w = futexWait(s + S_PERMITS, 0, deadline);
    sub32(s + S_WAITERS, 1);
    if (semTryAcquire(s) == SUCCESS) return SUCCESS;
    if (w == TIMED_OUT) return TIMEOUT;
  }
  return TIMEOUT; // not reached
}

/**
 * One step of an asynchronous acquire: SUCCESS, or WOULD_BLOCK after announcing a sleeper (the
 * host then awaits Atomics.waitAsync(PERMITS, 0) and must call semWaitDone before the next step).
 */
export function semAcquireStep(s: usize): i32 {
  if (semTryAcquire(s) == SUCCESS) return SUCCESS;
  add32(s + S_WAITERS, SEM_ASYNC_WAITER); // before the host's waitAsync queues it: see the header
  return WOULD_BLOCK;
}

/** Withdraws the async sleeper announced by semAcquireStep. */
export function semWaitDone(s: usize): void { sub32(s + S_WAITERS, SEM_ASYNC_WAITER); }

/** Adds `n` >= 1 permits and wakes up to `n` sleepers: SUCCESS, or INVALID_ARGUMENT on overflow. */
export function semRelease(s: usize, n: i32): i32 {
  if (n < 1) return INVALID_ARGUMENT;
  let p = load32(s + S_PERMITS);
  for (;;) {
    if (p > SEMAPHORE_MAX - n) return INVALID_ARGUMENT; // nothing changed
    const seen = cas32(s + S_PERMITS, p, p + n);
    if (seen == p) break;
    p = seen;
  }
  // Pairs with the futexWait in semAcquireCold / the host's waitAsync (after semAcquireStep):
  // n blocked threads, plus every async acquire that may stand before them in the queue.
  const waiters = <u32>load32(s + S_WAITERS);
  if (waiters != 0) futexWake(s + S_PERMITS, <i32>min<u32>(<u32>n + (waiters >> 8), <u32>i32.MAX_VALUE));
  return SUCCESS;
}
