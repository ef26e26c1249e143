// Context: one blocking operation's meeting point (crossbeam-channel's context.rs).
//
// A thread can sleep on one futex word only, but a `select` waits on several channels at once,
// and a rendezvous operation waits for one peer among many. So every such operation allocates a
// context block: one SELECT futex word that peers decide on, and one selector entry per channel
// operation it waits on (selectors.ts links the entries into the channels' waker blocks).
//
//   context (heap block, owned by the operation that allocated it)
//    0        4     8                     8 + ENTRY_SIZE       8 + n * ENTRY_SIZE
//    +--------+-----+---------------------+---------------------+
//    | SELECT | N   | entry 0             | entry 1  ...        |
//    +--------+-----+---------------------+---------------------+
//
//   SELECT  state  meaning
//           0      WAITING        nobody has decided for this operation yet
//           1      ABORTED        the owner gave up (deadline, or it found an operation ready)
//           2      DISCONNECTED   a zero channel it waits on was disconnected
//           k + 3  operation k was selected (entry k): for a zero channel the message has
//                  already been exchanged with the peer; for an array/list channel it is a
//                  hint to go and try operation k (someone made progress there)
//
// Exactly one party moves SELECT away from WAITING: `trySelect` is a cmpxchg from 0. The owner
// sleeps on SELECT while it is 0 (`ctxWait`, or the host's Atomics.waitAsync for async forms);
// whoever wins `trySelect` for a peer wakes it (`ctxWake`), always while holding the lock of the
// list the peer's entry is in (selectors.ts). The owner unregisters every entry, taking each of
// those locks, before it frees the context: after that no peer can still be touching it.
import { cas32, load32, store32 } from "../sync/atomic";
import { futexWait, futexWake, spin, TIMED_OUT } from "../sync/futex";
import { malloc, free } from "../heap/index";

export const X_SELECT: usize = 0;
export const X_N: usize = 4;
export const X_ENTRIES: usize = 8;

export const SEL_WAITING: i32 = 0;
export const SEL_ABORTED: i32 = 1;
export const SEL_DISCONNECTED: i32 = 2;
/** SELECT value of "operation k was selected" is SEL_OPERATION + k. */
export const SEL_OPERATION: i32 = 3;

// Selector entry (one per operation of the context; selectors.ts links it into a waker block):
//    0     4      8      12     16     20      24
//    +-----+------+------+------+------+-------+-----------+
//    | CTX | OPER | NEXT | PREV | LIST | FLAGS | VALUE f64 |
//    +-----+------+------+------+------+-------+-----------+
//   CTX    the context (so a peer walking a list reaches the SELECT word)
//   OPER   the operation's index k in its context
//   NEXT/PREV  circular doubly linked list of the waker block LIST points at (0: not linked)
//   FLAGS  E_WATCH for a `ready` watcher: woken by progress like any entry, but never paired
//          with (zero channels) and never counted as "the one" selector a progress event wakes;
//          E_ASYNC for a selectAsync's entry: not counted as "the one" either (selectors.ts)
//   VALUE  zero channels only: the message. A send entry carries it from registration; a
//          receive entry gets it from the sender that pairs with it.
// NEXT, PREV, LIST and VALUE are only read or written under the lock of the list (selectors.ts).
export const E_CTX: usize = 0;
export const E_OPER: usize = 4;
export const E_NEXT: usize = 8;
export const E_PREV: usize = 12;
export const E_LIST: usize = 16;
export const E_FLAGS: usize = 20;
export const E_VALUE: usize = 24;
export const ENTRY_SIZE: usize = 32;
/** FLAGS bit: the entry only watches for readiness (Select.ready), see selectors.ts. */
export const E_WATCH: i32 = 1;
/** FLAGS bit: the entry belongs to a selectAsync (its thread may be busy): see selectorsNotify. */
export const E_ASYNC: i32 = 2;

/** A context with `n` entries (each knows its context and index, none linked), or 0 (OOM). */
export function ctxNew(n: u32): usize {
  const ctx = malloc(X_ENTRIES + <usize>n * ENTRY_SIZE);
  if (ctx == 0) return 0;
  // Not yet shared: nothing can reach ctx before its first entry is linked (under a lock).
  store32(ctx + X_SELECT, SEL_WAITING);
  store32(ctx + X_N, <i32>n);
  for (let k: u32 = 0; k < n; k++) {
    const e = ctxEntry(ctx, k);
    store32(e + E_CTX, <i32>ctx);
    store32(e + E_OPER, <i32>k);
    store32(e + E_NEXT, 0);
    store32(e + E_PREV, 0);
    store32(e + E_LIST, 0);
    store32(e + E_FLAGS, 0);
    store<f64>(e + E_VALUE, 0);
  }
  return ctx;
}

/** Frees a context whose entries are all unregistered. */
export function ctxFree(ctx: usize): void { free(ctx); }

// @ts-ignore: decorator
@inline export function ctxEntry(ctx: usize, k: u32): usize { return ctx + X_ENTRIES + <usize>k * ENTRY_SIZE; }

// @ts-ignore: decorator
@inline export function ctxState(ctx: usize): i32 { return load32(ctx + X_SELECT); }

/** Decides for `ctx` (WAITING -> `v`); true if this call won. */
// @ts-ignore: decorator
@inline export function trySelect(ctx: usize, v: i32): bool {
  return cas32(ctx + X_SELECT, SEL_WAITING, v) == SEL_WAITING;
}

/** Wakes the owner of `ctx` (pairs with ctxWait and the host's Atomics.waitAsync on SELECT). */
// @ts-ignore: decorator
@inline export function ctxWake(ctx: usize): void { futexWake(ctx + X_SELECT, 1); }

/**
 * Sleeps until a peer decides for `ctx` or `deadline` passes; on the deadline the owner aborts
 * (which fails if a peer decided first: then that decision stands). Returns the final SELECT.
 */
export function ctxWait(ctx: usize, deadline: f64): i32 {
  // A peer usually decides within microseconds of our registration: look a few times first.
  for (let r = 0; spin(r); r++) {
    const s = load32(ctx + X_SELECT);
    if (s != SEL_WAITING) return s;
  }
  for (;;) {
    const s = load32(ctx + X_SELECT);
    if (s != SEL_WAITING) return s;
    // Pairs with ctxWake: a wake between our load and the wait makes the wait return at once
    // (the word is no longer 0).
    if (futexWait(ctx + X_SELECT, SEL_WAITING, deadline) == TIMED_OUT) {
      trySelect(ctx, SEL_ABORTED);
      return load32(ctx + X_SELECT);
    }
  }
  return SEL_ABORTED; // not reached
}
