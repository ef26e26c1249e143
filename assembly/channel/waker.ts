// Waker: how blocked senders and receivers sleep, and who wakes them.
//
// crossbeam registers each blocked operation in a waker list; weft's threads have no per-thread
// context objects to register, so each direction has one futex word that counts progress:
//
//   SEND_SEQ      bumped by every successful receive (a slot became free) and by disconnection;
//                 blocked senders sleep on it
//   SEND_WAITERS  senders announced as (about to be) asleep on SEND_SEQ
//   RECV_SEQ      bumped by every successful send (a message arrived) and by disconnection;
//                 blocked receivers sleep on it
//   RECV_WAITERS  receivers announced as (about to be) asleep on RECV_SEQ
//
// Sleeping (`sleepPrepare` / `sleepWait` / `sleepDone`): read SEQ, announce (WAITERS + 1), try the
// operation once more, then wait while SEQ still holds the value read first.
// Waking (`wakeOne` after progress, `wakeAll` on disconnection): bump SEQ, then notify if
// WAITERS > 0.
//
// No lost wake-up (all wasm atomics are SeqCst, a Dekker pair): the sleeper announces *then*
// retries; the peer makes progress (writes a stamp) *then* bumps SEQ *then* reads WAITERS. If the
// retry missed the progress, the announce came first, so the peer sees WAITERS > 0 and notifies;
// and the SEQ read came before the bump, so a wait that starts after the bump returns at once.
// Exactly-when-needed: the peer skips the notify syscall while nobody is announced. A woken
// sleeper that loses the slot/message to a newcomer sleeps again: the progress was used by
// someone, so nothing is lost. Progress wakes one sleeper per event (each event frees one slot
// or delivers one message); disconnection wakes all.
import { load32, add32, sub32 } from "../sync/atomic";
import { futexWait, futexWake } from "../sync/futex";

/** Reads the sequence word at `seq` and announces a sleeper in `waiters`; returns the value read. */
// @ts-ignore: decorator
@inline export function sleepPrepare(seq: usize, waiters: usize): i32 {
  const s = load32(seq); // before the announce and the retry: see the header
  add32(waiters, 1);
  return s;
}

/** Sleeps while `*seq == seen` (pairs with wakeOne/wakeAll on the same word): futexWait's code. */
// @ts-ignore: decorator
@inline export function sleepWait(seq: usize, seen: i32, deadline: f64): i32 {
  return futexWait(seq, seen, deadline);
}

/** Withdraws the sleeper announced by sleepPrepare. */
// @ts-ignore: decorator
@inline export function sleepDone(waiters: usize): void { sub32(waiters, 1); }

/** After one unit of progress: bump the word, wake one announced sleeper if any. */
// @ts-ignore: decorator
@inline export function wakeOne(seq: usize, waiters: usize): void {
  add32(seq, 1);
  // Pairs with sleepWait (sync) and the host's Atomics.waitAsync (async) on the same word.
  if (load32(waiters) > 0) futexWake(seq, 1);
}

/** On disconnection: bump the word and wake every sleeper (they will all see the mark). */
export function wakeAll(seq: usize, waiters: usize): void {
  add32(seq, 1);
  if (load32(waiters) > 0) futexWake(seq, i32.MAX_VALUE);
}
