// The held-lock list of each agent: an intrusive singly linked list through the NEXT_HELD field
// of every exclusively held lock (Mutex, RwLock write side). Only the owning agent pushes and
// removes; other threads read it (deadlock reports; a dead worker's cleanup, once it is gone),
// so links are stored atomically.
//
// Used to poison and release, in one sweep, every lock a thread still holds when it panics.
import { load32, store32 } from "./atomic";
import { A_HELD } from "../layout";
import { AGENT_REC } from "../engine/local";

/** Offset of the link in every exclusive lock object (same in Mutex and RwLock). */
export const L_NEXT_HELD: usize = 28;

export function heldPush(lock: usize): void {
  store32(lock + L_NEXT_HELD, load32(AGENT_REC + A_HELD));
  store32(AGENT_REC + A_HELD, <i32>lock);
}

export function heldRemove(lock: usize): void {
  const next = load32(lock + L_NEXT_HELD);
  let cur = <usize>load32(AGENT_REC + A_HELD);
  if (cur == lock) { store32(AGENT_REC + A_HELD, next); return; }
  while (cur != 0) {
    const after = <usize>load32(cur + L_NEXT_HELD);
    if (after == lock) { store32(cur + L_NEXT_HELD, next); return; }
    cur = after;
  }
}

/** Head of an agent's held list (`rec` is any agent's record). */
export function heldHead(rec: usize): usize {
  return <usize>load32(rec + A_HELD);
}
