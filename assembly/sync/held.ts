// The held-lock list of each agent: an intrusive singly linked list through the NEXT_HELD field
// of every exclusively held lock (Mutex, RwLock write side).
//
// Only the owning agent pushes and removes, while it holds the lock being linked, so plain
// (non-atomic) loads and stores suffice: the lock's acquire/release cmpxchg/xchg order them for
// the next holder. Other threads only read the list when its agent is gone (a dead worker's
// cleanup, after the host saw it exit) or for diagnostics (deadlock reports), where a stale link
// is harmless. Keeping these stores plain keeps the lock fast path at two atomic RMWs.
//
// Used to poison and release, in one sweep, every lock a thread still holds when it panics.
import { A_HELD } from "../layout";
import { AGENT_REC } from "../engine/local";

/** Offset of the link in every exclusive lock object (same in Mutex and RwLock). */
export const L_NEXT_HELD: usize = 28;

// @ts-ignore: decorator
@inline export function heldPush(lock: usize): void {
  store<u32>(lock + L_NEXT_HELD, load<u32>(AGENT_REC + A_HELD));
  store<u32>(AGENT_REC + A_HELD, <u32>lock);
}

// @ts-ignore: decorator
@inline export function heldRemove(lock: usize): void {
  const next = load<u32>(lock + L_NEXT_HELD);
  // Locks are mostly released in reverse order: the head is the common case.
  if (<usize>load<u32>(AGENT_REC + A_HELD) == lock) store<u32>(AGENT_REC + A_HELD, next);
  else heldRemoveCold(lock, next);
}

function heldRemoveCold(lock: usize, next: u32): void {
  let cur = <usize>load<u32>(AGENT_REC + A_HELD);
  while (cur != 0) {
    const after = <usize>load<u32>(cur + L_NEXT_HELD);
    if (after == lock) { store<u32>(cur + L_NEXT_HELD, next); return; }
    cur = after;
  }
}

/** Head of an agent's held list (`rec` is any agent's record). */
export function heldHead(rec: usize): usize {
  return <usize>load<u32>(rec + A_HELD);
}
