// Waker: how blocked senders and receivers sleep, and who wakes them.
//
// Each direction of a channel has one waker block (layout.ts: C_SEND, C_RECV):
//
//   SEQ        futex word counting progress in this direction *while someone sleeps*: the SEND
//              block's SEQ is bumped by a successful receive (a slot became free) that finds a
//              sender announced, and by disconnection; the RECV block's by a successful send that
//              finds a receiver announced, and by disconnection
//   WAITERS    single operations announced as (about to be) asleep on SEQ: blocking ones count
//              1, async ones (the host's waitAsync) ASYNC_WAITER = 2^8
//   SEL_LOCK, SEL_COUNT, SEL_HEAD
//              the selectors: `select` calls (and rendezvous operations) waiting on several
//              things at once, registered as entries in a list (selectors.ts). A thread can
//              sleep on one futex word only, so a selector sleeps on its own context word and
//              is woken through this list.
//
// Sleeping (`sleepPrepare` / `sleepWait` / `sleepDone`): read SEQ, announce (WAITERS + 1), try the
// operation once more, then wait while SEQ still holds the value read first.
// Waking (`wakeOne` after progress, `wakeMany` after a batch, `wakeAll` on disconnection): if
// WAITERS > 0, bump SEQ and notify; then, if SEL_COUNT > 0, select one (or every) registered
// selector. (wakeAll bumps SEQ unconditionally: it is rare.)
//
// No lost wake-up (all wasm atomics are SeqCst, a Dekker pair): the sleeper announces *then*
// retries; the peer makes progress (writes a stamp) *then* reads WAITERS (and bumps SEQ). If the
// retry missed the progress, the announce came first, so the peer sees WAITERS > 0, bumps SEQ and
// notifies; and the SEQ read came before the bump, so a wait that starts after the bump returns
// at once.
// Selectors follow the same pattern with SEL_COUNT (register, then retry, then sleep).
// Exactly-when-needed: the peer skips the SEQ bump and the notify syscall while nobody is
// announced, so an uncontended operation does no read-modify-write on the waker's cache line
// (both wakers share one line: a bump per message made it bounce between producer and consumer).
// Skipping the bump is safe because a sleeper reads SEQ *before* it announces: a peer that sees
// WAITERS > 0 bumps SEQ after that read, so the sleeper's wait sees a changed SEQ or is notified;
// a peer that sees WAITERS == 0 made its progress before the announce, so the retry sees it. A woken
// sleeper that loses the slot/message to a newcomer sleeps again: the progress was used by
// someone, so nothing is lost. Progress wakes one sleeper per event (each event frees one slot
// or delivers one message) and one selector; disconnection wakes all. Async operations (host
// Atomics.waitAsync, selectAsync) do not count as that one: their thread may be busy for long,
// so the sync sleeper (or selector) behind them is woken as well (wakeOne, selectorsNotify).
import { load32, add32, sub32 } from "../sync/atomic";
import { futexWait, futexWake } from "../sync/futex";
import { W_SEQ, W_WAITERS, W_SEL_COUNT } from "./layout";
import { selectorsNotify } from "./selectors";

/** Reads waker `w`'s sequence word and announces a sleeper; returns the value read. */
// @ts-ignore: decorator
@inline export function sleepPrepare(w: usize): i32 {
  const s = load32(w + W_SEQ); // before the announce and the retry: see the header
  add32(w + W_WAITERS, 1);
  return s;
}

/** Sleeps while `SEQ == seen` (pairs with wakeOne/wakeAll on the same block): futexWait's code. */
// @ts-ignore: decorator
@inline export function sleepWait(w: usize, seen: i32, deadline: f64): i32 {
  return futexWait(w + W_SEQ, seen, deadline);
}

/** Withdraws the sleeper announced by sleepPrepare. */
// @ts-ignore: decorator
@inline export function sleepDone(w: usize): void { sub32(w + W_WAITERS, 1); }

/**
 * An async operation (the host's Atomics.waitAsync) counts ASYNC_WAITER in WAITERS, above the
 * low 8 bits of the blocking sleepers (each a blocked thread: at most MAX_AGENTS = 128), so up
 * to 2^24 - 1 async operations may be parked per direction. It runs only when its thread's
 * event loop does, and that thread may be blocked in something else for a long time: wakeOne.
 */
export const ASYNC_WAITER: i32 = 1 << 8;

/** sleepPrepare for an async step (the host read SEQ before the call). */
// @ts-ignore: decorator
@inline export function sleepPrepareAsync(w: usize): void { add32(w + W_WAITERS, ASYNC_WAITER); }

/** Withdraws the async sleeper announced by sleepPrepareAsync. */
// @ts-ignore: decorator
@inline export function sleepDoneAsync(w: usize): void { sub32(w + W_WAITERS, ASYNC_WAITER); }

/** After one unit of progress: bump SEQ, wake one announced sleeper and one selector, if any. */
// @ts-ignore: decorator
@inline export function wakeOne(w: usize): void {
  // Pairs with sleepWait (sync) and the host's Atomics.waitAsync (async) on the same word. SEQ is
  // bumped only while someone is announced: see "Exactly-when-needed" in the header. The notify
  // is FIFO over both kinds: waking one more than the async sleepers announced reaches a blocked
  // sync sleeper if there is one, even when parked async operations of busy threads stand before
  // it in the queue (woken alone, one of them could leave it asleep beside the message).
  const waiters = <u32>load32(w + W_WAITERS);
  if (waiters != 0) { add32(w + W_SEQ, 1); futexWake(w + W_SEQ, <i32>(1 + (waiters >> 8))); }
  // Pairs with the register-then-retry of selectors.ts.
  if (load32(w + W_SEL_COUNT) > 0) selectorsNotify(w, false);
}

/** On disconnection: bump SEQ and wake every sleeper and selector (they will all see the mark). */
export function wakeAll(w: usize): void {
  add32(w + W_SEQ, 1);
  if (load32(w + W_WAITERS) > 0) futexWake(w + W_SEQ, i32.MAX_VALUE);
  if (load32(w + W_SEL_COUNT) > 0) selectorsNotify(w, true);
}

/**
 * After `n` units of progress at once (a batch: n messages delivered or n slots freed): one SEQ
 * bump, then wake up to n announced sleepers and the selectors. Batch operations (batch.ts) call
 * it once per batch instead of wakeOne per message.
 */
export function wakeMany(w: usize, n: i32): void {
  // Pairs with sleepWait (sync) and the host's Atomics.waitAsync (async) on the same word; n more
  // than the async sleepers announced, for the reason given in wakeOne.
  const waiters = <u32>load32(w + W_WAITERS);
  if (waiters != 0) { add32(w + W_SEQ, 1); futexWake(w + W_SEQ, <i32>min<u32>(<u32>n + (waiters >> 8), <u32>i32.MAX_VALUE)); }
  // One selector per event: for several events, every selector (a woken selector that finds
  // nothing ready registers again, so waking too many is only extra work).
  if (load32(w + W_SEL_COUNT) > 0) selectorsNotify(w, n > 1);
}
