// Panic cleanup: when a thread's task throws or traps, every exclusive lock it still holds is
// poisoned and released (Rust poisons a lock whose guard is dropped during a panic), so waiters
// wake and see the poison instead of hanging.
import { load32, store32 } from "../sync/atomic";
import { heldHead } from "../sync/held";
import { M_POISON, release } from "../sync/mutex";
import { AGENT_REC } from "./local";
import { O_TAG, TAG_MUTEX } from "../layout";

/** Poisons and releases every lock held by this agent; returns how many. */
export function panicCleanup(): i32 {
  let n = 0;
  for (let l = heldHead(AGENT_REC); l != 0; l = heldHead(AGENT_REC)) {
    store32(l + M_POISON, 1);
    const tag = <u32>load32(l + O_TAG);
    if (tag == TAG_MUTEX) release(l);
    else unreachable(); // every exclusive lock type must be listed here
    n++;
  }
  return n;
}
