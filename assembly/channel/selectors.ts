// Selectors: operations that wait through a context (context.ts) instead of a channel's SEQ word,
// registered as entries in a waker block's list (crossbeam-channel's waker.rs `Waker`).
//
//   waker block (layout.ts)            entries (inside their contexts, context.ts)
//   +----------+                       +-------+     +-------+     +-------+
//   | SEL_LOCK |      SEL_HEAD ------> | e1    | --> | e2    | --> | e3    | --> (back to e1)
//   | SEL_COUNT| = 3                   +-------+ <-- +-------+ <-- +-------+
//   | SEL_HEAD |                       circular, doubly linked; e1.PREV = e3 (the tail)
//   +----------+
//
// Who uses the lists:
// * select over array/list channels: a select registers one entry per operation on the waker
//   block of that direction (receive -> C_RECV, send -> C_SEND). Progress in that direction
//   (waker.ts wakeOne) selects the first entry whose context is still WAITING and wakes it; the
//   selected select then tries that operation (it may find it taken by a newcomer: it loops).
//   Disconnection (wakeAll) selects every entry.
// * zero (rendezvous) channels: the SEND list holds the waiting senders, the RECV list the
//   waiting receivers, both under the channel's own lock (zero.ts); selecting an entry there
//   *is* the pairing, and the message moves through the entry's VALUE.
//
// No lost wake-up (select over array/list): the select links its entry and bumps SEL_COUNT,
// *then* checks whether any of its operations became ready, *then* sleeps. A peer makes progress
// (stamp, SEQ bump) *then* reads SEL_COUNT in wakeOne. All wasm atomics are SeqCst (a Dekker
// pair): if the select's check missed the progress, its SEL_COUNT bump came first, so the peer
// sees SEL_COUNT > 0, takes SEL_LOCK and finds the entry (linked in the same critical section).
//
// Watchers (`Select.ready`, crossbeam's observers): entries with FLAGS E_WATCH want to know that
// an operation became ready without performing it. Progress selects one ordinary entry *and*
// every watcher (a watcher must not swallow the one wake-up an ordinary waiter needs); zero
// channels never pair with a watcher, and wake the watchers of the other list whenever a party
// starts waiting (zero.ts).
//
// The list fields (NEXT, PREV, LIST, SEL_HEAD) are only touched under the list's lock; they still
// go through the atomic helpers (cheap, and the tracing build sees them). SEL_COUNT is also read
// without the lock, by wakeOne, as the "anyone registered?" test above.
import { load32, store32, add32, sub32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { W_SEL_LOCK, W_SEL_COUNT, W_SEL_HEAD } from "./layout";
import {
  E_CTX, E_OPER, E_NEXT, E_PREV, E_LIST, E_FLAGS, E_WATCH, E_ASYNC, SEL_WAITING, SEL_OPERATION, trySelect, ctxWake, ctxState,
} from "./context";

// @ts-ignore: decorator
@inline function ptr(p: usize): usize { return <usize><u32>load32(p); }

// @ts-ignore: decorator
@inline function isWatch(e: usize): bool { return (load32(e + E_FLAGS) & E_WATCH) != 0; }

/** Appends entry `e` to the list of waker block `w`. Caller holds the list's lock. */
export function selLink(w: usize, e: usize): void {
  const head = ptr(w + W_SEL_HEAD);
  if (head == 0) {
    store32(e + E_NEXT, <i32>e);
    store32(e + E_PREV, <i32>e);
    store32(w + W_SEL_HEAD, <i32>e);
  } else {
    const tail = ptr(head + E_PREV);
    store32(e + E_NEXT, <i32>head);
    store32(e + E_PREV, <i32>tail);
    store32(tail + E_NEXT, <i32>e);
    store32(head + E_PREV, <i32>e);
  }
  store32(e + E_LIST, <i32>w);
  add32(w + W_SEL_COUNT, 1); // after the link: a notifier that sees the count finds the entry
}

/** Removes entry `e` from whatever list it is in (nothing if none). Caller holds that list's lock. */
export function selUnlink(e: usize): void {
  const w = ptr(e + E_LIST);
  if (w == 0) return;
  const next = ptr(e + E_NEXT);
  if (next == e) {
    store32(w + W_SEL_HEAD, 0);
  } else {
    const prev = ptr(e + E_PREV);
    store32(prev + E_NEXT, <i32>next);
    store32(next + E_PREV, <i32>prev);
    if (ptr(w + W_SEL_HEAD) == e) store32(w + W_SEL_HEAD, <i32>next);
  }
  store32(e + E_LIST, 0);
  sub32(w + W_SEL_COUNT, 1);
}

/**
 * Selects the first entry of `w` that is no watcher, belongs to another context than `self` and
 * whose context is still WAITING (SELECT := its operation), unlinks it and returns it (0: none). Caller holds the
 * lock and must wake the entry's context (ctxWake) before releasing it.
 */
export function selPick(w: usize, self: usize): usize {
  const head = ptr(w + W_SEL_HEAD);
  if (head == 0) return 0;
  let e = head;
  do {
    const ctx = ptr(e + E_CTX);
    if (ctx != self && !isWatch(e) && trySelect(ctx, SEL_OPERATION + load32(e + E_OPER))) {
      selUnlink(e);
      return e;
    }
    e = ptr(e + E_NEXT);
  } while (e != head);
  return 0;
}

/** Whether `w` holds a non-watcher entry of another context than `self`, still WAITING. Lock held. */
export function selHasPeer(w: usize, self: usize): bool {
  const head = ptr(w + W_SEL_HEAD);
  if (head == 0) return false;
  let e = head;
  do {
    const ctx = ptr(e + E_CTX);
    if (ctx != self && !isWatch(e) && ctxState(ctx) == SEL_WAITING) return true;
    e = ptr(e + E_NEXT);
  } while (e != head);
  return false;
}

/**
 * Decides every entry of `w` with `state` (entries whose context was already decided are left
 * alone), wakes them and empties the list. Caller holds the lock.
 */
export function selDecideAll(w: usize, state: i32): void {
  for (let e = ptr(w + W_SEL_HEAD); e != 0; e = ptr(w + W_SEL_HEAD)) {
    const ctx = ptr(e + E_CTX);
    if (trySelect(ctx, state < 0 ? SEL_OPERATION + load32(e + E_OPER) : state)) ctxWake(ctx);
    selUnlink(e);
  }
}

/** Selects, wakes and unlinks every watcher of `w` (each for its own operation). Lock held. */
export function selWakeWatchers(w: usize): void {
  const head = ptr(w + W_SEL_HEAD);
  if (head == 0) return;
  let e = head;
  let last = ptr(head + E_PREV);
  for (;;) {
    const next = ptr(e + E_NEXT);
    const end = e == last;
    if (isWatch(e)) {
      const ctx = ptr(e + E_CTX);
      if (trySelect(ctx, SEL_OPERATION + load32(e + E_OPER))) ctxWake(ctx);
      selUnlink(e);
    }
    if (end) break;
    e = next;
  }
}

/** Links entry `e` into waker block `w` (select over array/list channels). */
export function selRegister(w: usize, e: usize): void {
  rawLock(w + W_SEL_LOCK);
  selLink(w, e);
  rawUnlock(w + W_SEL_LOCK);
}

/**
 * Unlinks entry `e` from `w` if a notifier has not already. Always takes the lock: once it
 * returns, no notifier that selected this entry is still touching its context.
 */
export function selUnregister(w: usize, e: usize): void {
  rawLock(w + W_SEL_LOCK);
  selUnlink(e);
  rawUnlock(w + W_SEL_LOCK);
}

/**
 * Called by waker.ts (wakeOne / wakeAll) when SEL_COUNT > 0: selects one waiting entry (every
 * entry if `all`), wakes its context and unlinks it; its owner frees it.
 */
export function selectorsNotify(w: usize, all: bool): void {
  rawLock(w + W_SEL_LOCK);
  if (all) {
    selDecideAll(w, -1); // each entry's own operation: its owner tries it and sees the disconnection
  } else {
    // One selector; async ones (a selectAsync runs only when its thread's event loop does, and
    // that thread may be busy) do not count as it: wake them all up to the first sync one.
    for (let e = selPick(w, 0); e != 0; e = selPick(w, 0)) {
      const isAsync = (load32(e + E_FLAGS) & E_ASYNC) != 0;
      ctxWake(ptr(e + E_CTX));
      if (!isAsync) break;
    }
    selWakeWatchers(w);
  }
  rawUnlock(w + W_SEL_LOCK);
}
