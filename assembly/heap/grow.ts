// The bump region at the top of the heap, and growth of the shared memory.
//
// `bump` hands out fresh bytes at HEAP_TOP under GROW_LOCK; when they run past the end of the
// memory it grows the memory (wasm `memory.grow` on a shared memory is visible to every instance
// at once, DESIGN.md fact 6). When the declared maximum is reached, growth fails and `bump`
// returns 0: callers report OUT_OF_MEMORY and nothing already allocated is touched.
import { load32, store32, add32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { H_GROW_LOCK, H_HEAP_TOP, H_OOM_COUNT } from "../layout";

const PAGE: usize = 65536;
/** Grow at least this many pages at a time, so small carves do not grow page by page. */
const MIN_GROW_PAGES: i32 = 16;

/** `bytes` (a multiple of 8) fresh from the top of the heap, or 0 when memory is exhausted. */
export function bump(bytes: usize): usize {
  rawLock(H_GROW_LOCK);
  const top = <usize>load32(H_HEAP_TOP);
  const end = <usize>memory.size() * PAGE;
  if (bytes > 0x7FFF0000 - top || (top + bytes > end && !growFor(top + bytes - end))) {
    rawUnlock(H_GROW_LOCK);
    add32(H_OOM_COUNT, 1);
    return 0;
  }
  store32(H_HEAP_TOP, <i32>(top + bytes));
  rawUnlock(H_GROW_LOCK);
  return top;
}

function growFor(missing: usize): bool {
  const need = <i32>((missing + PAGE - 1) / PAGE);
  // Prefer some slack (1/8 of the memory), fall back to the exact need near the maximum.
  const slack = max(need, max(MIN_GROW_PAGES, memory.size() >> 3));
  if (memory.grow(slack) >= 0) return true;
  return memory.grow(need) >= 0;
}

/**
 * Gives `bytes` at `at` back to the bump region if they end exactly at the top.
 * Returns whether it did; the caller holds the lock of the list `at` came from.
 */
export function unbump(at: usize, bytes: usize): bool {
  rawLock(H_GROW_LOCK);
  const ok = <usize>load32(H_HEAP_TOP) == at + bytes;
  if (ok) store32(H_HEAP_TOP, <i32>at);
  rawUnlock(H_GROW_LOCK);
  return ok;
}
