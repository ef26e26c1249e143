// Latches: one-shot "this is done" flags that a job sets and its joiner waits for (rayon-core's
// latch.rs: CoreLatch inside SpinLatch / LockLatch / CountLatch). One layout serves all three:
//
//   0        4        8          12        16       20
//   +--------+--------+----------+---------+--------+
//   | STATE  | COUNT  | REGISTRY | TARGET  | KIND   |
//   +--------+--------+----------+---------+--------+
//   STATE     the core latch (table below); also the futex word of blocking waiters
//   COUNT     counting latches only: sets still expected
//   REGISTRY  sleep registry (sleep.ts) of the worker that waits, 0 for none (LockLatch)
//   TARGET    that worker's index in REGISTRY
//   KIND      LATCH_PLAIN or LATCH_COUNTED
//   REGISTRY, TARGET and KIND are written before the latch is shared and never change: plain
//   reads are safe.
//
// Kinds (rayon's names):
//   SpinLatch   REGISTRY != 0: a worker waits for it while it keeps stealing (the sleep protocol
//               of sleep.ts, with this latch), and `set` wakes that worker if it fell asleep.
//   LockLatch   REGISTRY == 0: a thread outside the pool blocks on STATE (latchWait).
//   CountLatch  COUNT > 0 at creation: each `latchSet` counts one down, the last one sets it
//               (`latchIncrement` adds one, before the job that will set it is spawned).
//
// STATE (the core latch):
//
//   state      meaning                                           moved by
//   UNSET      not set; its owner is awake                       start
//   SLEEPY     owner is about to sleep (sleep.ts getSleepy)      owner: UNSET -> SLEEPY
//   SLEEPING   owner sleeps (registry futex, or STATE futex)     owner: SLEEPY -> SLEEPING
//                                                                (latchWait: UNSET -> SLEEPING)
//   SET        done; final                                       setter: any -> SET (xchg)
//
//   The owner returns SLEEPY/SLEEPING to UNSET when it wakes (latchWakeUp) unless it is SET.
//   A setter that replaced SLEEPING must wake the owner: via the registry (SpinLatch) and with a
//   futex wake on STATE (LockLatch waiters; a spurious wake for everyone else).
import { load32, cas32, xchg32, sub32, add32 } from "../sync/atomic";
import { futexWait, futexWake, TIMED_OUT } from "../sync/futex";
import { malloc, free } from "../heap/index";
import { sleepWakeWorker } from "./sleep";
import { SUCCESS, TIMEOUT } from "../layout";

export const LA_STATE: usize = 0;
export const LA_COUNT: usize = 4;
export const LA_REGISTRY: usize = 8;
export const LA_TARGET: usize = 12;
export const LA_KIND: usize = 16;
export const LATCH_SIZE: usize = 24;

export const LATCH_PLAIN: u32 = 0;
export const LATCH_COUNTED: u32 = 1;

export const LATCH_UNSET: i32 = 0;
export const LATCH_SLEEPY: i32 = 1;
export const LATCH_SLEEPING: i32 = 2;
export const LATCH_SET: i32 = 3;

/** Initialises a latch at `l` (caller-owned memory: a heap block or a job's data block). */
export function latchInit(l: usize, registry: usize, target: u32, count: u32): void {
  // Plain stores: the latch is private until its pointer is published with the job.
  store<i32>(l + LA_STATE, LATCH_UNSET);
  store<u32>(l + LA_COUNT, count);
  store<u32>(l + LA_REGISTRY, <u32>registry);
  store<u32>(l + LA_TARGET, target);
  store<u32>(l + LA_KIND, count > 0 ? LATCH_COUNTED : LATCH_PLAIN);
}

/** latchInit of a plain SpinLatch (no count), inlined: what every wasm join does. */
// @ts-ignore: decorator
@inline export function latchInitSpin(l: usize, registry: usize, target: u32): void {
  // Plain stores: the latch is private until its pointer is published with the job.
  store<i32>(l + LA_STATE, LATCH_UNSET);
  store<u32>(l + LA_REGISTRY, <u32>registry);
  store<u32>(l + LA_TARGET, target);
  store<u32>(l + LA_KIND, LATCH_PLAIN); // COUNT is read only by counted latches
}

/** A heap latch (see latchInit: `count` > 0 makes a CountLatch); 0 if out of memory. */
export function latchNew(registry: usize, target: u32, count: u32): usize {
  const l = malloc(LATCH_SIZE);
  if (l != 0) latchInit(l, registry, target, count);
  return l;
}

export function latchFree(l: usize): void { free(l); }

/** Whether the latch is set. SeqCst: whatever the setter wrote before setting is visible. */
// @ts-ignore: decorator
@inline export function latchProbe(l: usize): bool { return load32(l + LA_STATE) == LATCH_SET; }

/** CountLatch: one more set is expected before the latch opens. */
// @ts-ignore: decorator
@inline export function latchIncrement(l: usize): void { add32(l + LA_COUNT, 1); }

/**
 * Sets the latch (counting latches: counts one down, and sets it at zero). Returns true when
 * this call set it. After the xchg the waiter may return and free the latch, so everything
 * needed afterwards is read before it; the futex wake touches only the address.
 */
export function latchSet(l: usize): bool {
  if (load<u32>(l + LA_KIND) == LATCH_COUNTED) {
    if (sub32(l + LA_COUNT, 1) != 1) return false; // not the last set
  }
  const registry = <usize>load<u32>(l + LA_REGISTRY);
  const target = load<u32>(l + LA_TARGET);
  if (xchg32(l + LA_STATE, LATCH_SET) == LATCH_SLEEPING) latchWakeCold(l, registry, target);
  return true;
}

function latchWakeCold(l: usize, registry: usize, target: u32): void {
  // Pairs with the wait in sleep.ts sleepCold (SpinLatch owner) or latchWait (LockLatch).
  if (registry != 0) sleepWakeWorker(registry, target);
  futexWake(l + LA_STATE, i32.MAX_VALUE);
}

// ---- the owner's side of the sleep protocol (sleep.ts calls these) ---------------------------

/** UNSET -> SLEEPY; false if the latch was set meanwhile. */
// @ts-ignore: decorator
@inline export function latchGetSleepy(l: usize): bool {
  return cas32(l + LA_STATE, LATCH_UNSET, LATCH_SLEEPY) == LATCH_UNSET;
}
/** SLEEPY -> SLEEPING; false if the latch was set meanwhile. */
// @ts-ignore: decorator
@inline export function latchFallAsleep(l: usize): bool {
  return cas32(l + LA_STATE, LATCH_SLEEPY, LATCH_SLEEPING) == LATCH_SLEEPY;
}
/** Back to UNSET after a sleep (or an aborted one), unless it was set meanwhile. */
export function latchWakeUp(l: usize): void {
  const s = load32(l + LA_STATE);
  if (s == LATCH_SLEEPY || s == LATCH_SLEEPING) cas32(l + LA_STATE, s, LATCH_UNSET);
}

/**
 * LockLatch wait: blocks until the latch is set or `deadline` (now() ms) passes: SUCCESS or
 * TIMEOUT. Any number of threads may wait. A timed-out waiter leaves STATE at SLEEPING: the
 * setter then merely issues one futex wake nobody needs.
 */
export function latchWait(l: usize, deadline: f64): i32 {
  for (;;) {
    const s = load32(l + LA_STATE);
    if (s == LATCH_SET) return SUCCESS;
    // Announce a sleeper, so that the setter's xchg sees SLEEPING and wakes us.
    if (s != LATCH_SLEEPING && cas32(l + LA_STATE, s, LATCH_SLEEPING) != s) continue;
    // Pairs with futexWake in latchWakeCold; returns at once if STATE is no longer SLEEPING.
    if (futexWait(l + LA_STATE, LATCH_SLEEPING, deadline) == TIMED_OUT) {
      return latchProbe(l) ? SUCCESS : TIMEOUT;
    }
  }
  return TIMEOUT; // not reached
}
