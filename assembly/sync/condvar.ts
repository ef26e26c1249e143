// Condvar: a futex condition variable (Rust std's futex Condvar): one sequence word that every
// notify bumps. A waiter reads the sequence while it still holds the mutex, unlocks, and sleeps
// only while the sequence is unchanged, so a notify sent after the unlock is never lost.
//
//   +0  object header (tag TAG_CONDVAR, gen, refs, aux unused)
//   +16 SEQ    notify counter (wraps); waiters futex-wait on it
//   +20 ASYNC  async waits (the host's Atomics.waitAsync on SEQ) announced, not yet withdrawn
//
// Wake-ups can be spurious (a notify meant for another waiter, a signal that raced the unlock):
// callers re-check their condition in a loop (Rust's `wait_while`).
//
// notifyOne wakes 1 + ASYNC waiters: Atomics.notify wakes the waiters of a word in FIFO order
// over blocking and async ones alike, and an async waiter acts on its wake-up only when its
// thread's event loop runs, which may be much later (that thread may be blocked in something
// else); woken alone, it would leave a blocked thread asleep although the condition changed. An
// async wait is announced before the host queues it and withdrawn only after it ended, so every
// async waiter queued before the notifier's read of ASYNC is counted (the extra wake-ups are
// spurious ones, which callers handle anyway). notifyAll wakes everyone and needs no count.
import { load32, store32, add32, sub32 } from "./atomic";
import { AGENT_REC } from "../engine/local";
import { futexWait, futexWake, TIMED_OUT } from "./futex";
import { mutexLock, mutexUnlock } from "./mutex";
import { A_WAITING, SUCCESS, TIMEOUT, POISONED } from "../layout";

export const CV_SEQ: usize = 16;
export const CV_ASYNC: usize = 20;
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
  store32(AGENT_REC + A_WAITING, <i32>cv); // for deadlock reports (as Mutex and RwLock do)
  // Pairs with the bump + futexWake in condvarNotify.
  const r = futexWait(cv + CV_SEQ, seq, deadline);
  store32(AGENT_REC + A_WAITING, 0);
  // Relock without a deadline (Rust does too); WOULD_DEADLOCK cannot happen, we released it.
  if (mutexLock(m, Infinity) == POISONED) return POISONED;
  return r == TIMED_OUT ? TIMEOUT : SUCCESS;
}

/**
 * Wakes up to `count` waiters (-1: all), plus every announced async waiter when `count` is finite
 * (see the header); returns how many were asleep and woke.
 */
export function condvarNotify(cv: usize, count: i32): i32 {
  add32(cv + CV_SEQ, 1); // changes SEQ first: a waiter between its read and its sleep won't sleep
  // Pairs with condvarAsyncBegin (before the host's waitAsync): the async waiters that may stand
  // before a blocked one in the queue.
  if (count >= 0) count = <i32>min<u32>(<u32>count + <u32>load32(cv + CV_ASYNC), <u32>i32.MAX_VALUE);
  return futexWake(cv + CV_SEQ, count);
}

/** Announces an async wait (the host then awaits Atomics.waitAsync on SEQ): see the header. */
export function condvarAsyncBegin(cv: usize): void { add32(cv + CV_ASYNC, 1); }

/** Withdraws the async wait announced by condvarAsyncBegin, once that wait ended. */
export function condvarAsyncDone(cv: usize): void { sub32(cv + CV_ASYNC, 1); }
