// End-of-thread cleanup. A thread's function ending still holding exclusive locks (its guards
// were never released) gets them released here, as Rust drops a closure's guards at its end; if
// the thread panicked (threw or trapped) they are poisoned first (Rust poisons a lock whose guard
// is dropped during a panic), so waiters wake and see the poison instead of hanging. Read locks
// are not exclusive: they neither poison nor appear in the held list (the TS host releases a
// thread's read guards, ts/sync/thread-guards.ts).
import { load32, store32 } from "../sync/atomic";
import { heldHead, L_NEXT_HELD } from "../sync/held";
import { M_POISON, M_NEXT_HELD, release } from "../sync/mutex";
import { RW_POISON, RW_NEXT_HELD, rwlockWriteRelease } from "../sync/rwlock";
import { AGENT_REC } from "./local";
import { O_TAG, TAG_MUTEX, TAG_RWLOCK } from "../layout";

/** Poisons and releases every lock held by this agent; returns how many. */
export function panicCleanup(): i32 {
  return releaseHeld(true);
}

/** Releases (poisoning them if `poison`) every lock held by this agent; returns how many. */
export function releaseHeld(poison: bool): i32 {
  // The sweep below writes POISON and follows NEXT_HELD at the same offsets for every lock type.
  if (RW_POISON != M_POISON || RW_NEXT_HELD != L_NEXT_HELD || M_NEXT_HELD != L_NEXT_HELD) unreachable();
  let n = 0;
  for (let l = heldHead(AGENT_REC); l != 0; l = heldHead(AGENT_REC)) {
    if (poison) store32(l + M_POISON, 1);
    const tag = <u32>load32(l + O_TAG);
    if (tag == TAG_MUTEX) release(l);
    else if (tag == TAG_RWLOCK) rwlockWriteRelease(l);
    else unreachable(); // every exclusive lock type must be listed here
    n++;
  }
  return n;
}
