// Condvar: a futex condition variable (Rust std's futex Condvar): one sequence word that every
// notify bumps. A waiter reads the sequence while it still holds the mutex, unlocks, and sleeps
// only while the sequence is unchanged, so a notify sent after the unlock is never lost.
//
//   +0  object header (tag TAG_CONDVAR, gen, refs, aux unused)
//   +16 SEQ   notify counter (wraps); waiters futex-wait on it
//   +20 (pad)
//
// Wake-ups can be spurious (a notify meant for another waiter, a signal that raced the unlock):
// callers re-check their condition in a loop (Rust's `wait_while`).
import { load32, add32 } from "./atomic";
import { futexWait, futexWake, TIMED_OUT } from "./futex";
import { mutexLock, mutexUnlock } from "./mutex";
import { SUCCESS, TIMEOUT, POISONED } from "../layout";

export const CV_SEQ: usize = 16;
export const CONDVAR_SIZE: usize = 24;

/**
 * Releases mutex `m` (held by this thread), sleeps until notified or `deadline`, relocks `m`.
 * SUCCESS, TIMEOUT, POISONED (relocked, but poisoned: wins over TIMEOUT), or the mutex's unlock
 * error (NOT_LOCKED, NOT_OWNER) with nothing changed.
 */
export function condvarWait(cv: usize, m: usize, deadline: f64): i32 {
  // Read while the mutex is held: a notifier must take the mutex to change the condition, so any
  // notify that matters comes after this read and changes SEQ.
  const seq = load32(cv + CV_SEQ);
  const u = mutexUnlock(m);
  if (u != SUCCESS) return u;
  // Pairs with the bump + futexWake in condvarNotify.
  const r = futexWait(cv + CV_SEQ, seq, deadline);
  // Relock without a deadline (Rust does too); WOULD_DEADLOCK cannot happen, we released it.
  if (mutexLock(m, Infinity) == POISONED) return POISONED;
  return r == TIMED_OUT ? TIMEOUT : SUCCESS;
}

/** Wakes up to `count` waiters (-1: all); returns how many were asleep and woke. */
export function condvarNotify(cv: usize, count: i32): i32 {
  add32(cv + CV_SEQ, 1); // changes SEQ first: a waiter between its read and its sleep won't sleep
  return futexWake(cv + CV_SEQ, count);
}
