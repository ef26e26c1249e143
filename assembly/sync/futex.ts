// Futex wait/wake with millisecond deadlines, and bounded spinning.
//
// A deadline is an absolute `now()` value in ms; `Infinity` means "no deadline". Waits go through
// `memory.atomic.wait32`, which JS `Atomics.wait`/`Atomics.waitAsync` interoperate with, so a
// wasm waiter is woken by a JS `Atomics.notify` and vice versa. Where this thread may not block
// (CAN_BLOCK false: a browser main thread) a wait degrades to a spin that re-reads the word.
import { wait32, notify, load32 } from "./atomic";
import { now } from "../engine/clock";
import { CAN_BLOCK } from "../engine/local";
import { H_SCRATCH } from "../layout";

export const WOKEN: i32 = 0;
export const NOT_EQUAL: i32 = 1;
export const TIMED_OUT: i32 = 2;

/** Deadline `ms` from now; negative/NaN are rejected by the host before reaching here. */
export function deadlineAfter(ms: f64): f64 {
  return ms == Infinity ? Infinity : now() + ms;
}

/** Sleeps while `*ptr == expected`, until woken or `deadline` passes. Spurious wake-ups happen. */
export function futexWait(ptr: usize, expected: i32, deadline: f64): i32 {
  let ns: i64 = -1;
  if (deadline != Infinity) {
    const left = deadline - now();
    if (left <= 0) return TIMED_OUT;
    ns = <i64>(left * 1e6);
  }
  if (!CAN_BLOCK) return spinWait(ptr, expected, deadline);
  return wait32(ptr, expected, ns);
}

function spinWait(ptr: usize, expected: i32, deadline: f64): i32 {
  for (let i = 0; ; i++) {
    if (load32(ptr) != expected) return NOT_EQUAL;
    if ((i & 255) == 255 && deadline != Infinity && now() >= deadline) return TIMED_OUT;
  }
  return TIMED_OUT; // not reached
}

export function futexWake(ptr: usize, count: i32): i32 {
  return notify(ptr, count);
}

/**
 * How many times a waiter re-checks its word before sleeping. A futex round trip costs tens of
 * microseconds on this kind of machine (wake syscall plus the sleeper's reschedule), while lock
 * holds are typically nanoseconds: checking often for a few microseconds first wins (measured
 * in bench/ suite c; the plain-JS baseline checks ~100 times too).
 */
const SPIN_ROUNDS: i32 = 64;

/** Spins one round (a pause growing to 64 loads); returns false once spinning should give way to sleep. */
// @ts-ignore: decorator
@inline export function spin(round: i32): bool {
  if (round >= SPIN_ROUNDS) return false;
  // No pause instruction in wasm: burn atomic loads of a private header word (atomic loads are
  // never optimised away, and the word is never written, so its cache line stays shared).
  for (let i = 0, n = 4 << min(round, 4); i < n; i++) load32(H_SCRATCH);
  return true;
}
