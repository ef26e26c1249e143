// The bump region at the top of the heap, and growth of the shared memory.
//
// `bump` hands out fresh bytes at HEAP_TOP under GROW_LOCK; when they run past the end of the
// memory it grows the memory (wasm `memory.grow` on a shared memory is visible to every instance
// at once, DESIGN.md fact 6). When the declared maximum is reached, growth fails and `bump`
// returns 0: nothing already allocated is touched. Whether a refusal reaches the caller (and is
// counted in OOM_COUNT) is malloc's business: a small-class refill retries with one block.
//
// HEAP_TOP moves only under GROW_LOCK: up in `bump` and `extend`, down in `unbump` (only past a
// free large block that ends exactly at the top). Lock order: a list lock (class or LARGE_LOCK)
// may be held while taking GROW_LOCK, never the other way round.
import { load32, store32, add32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { H_GROW_LOCK, H_HEAP_TOP, H_OOM_COUNT, H_MEM_BYTES } from "../layout";

export const PAGE: usize = 65536;
/** Grow at least this many pages at a time, so small carves do not grow page by page. */
const MIN_GROW_PAGES: i32 = 16;
/** No block may end above this (the memory maximum is 1 GiB; keeps u32 sums from wrapping). */
const TOP_LIMIT: usize = 0x7FFF0000;

/** `bytes` (a multiple of 8) fresh from the top of the heap, or 0 when memory is exhausted. */
export function bump(bytes: usize): usize {
  rawLock(H_GROW_LOCK);
  const top = <usize>load32(H_HEAP_TOP);
  const ok = ensure(top, bytes);
  if (ok) store32(H_HEAP_TOP, <i32>(top + bytes));
  rawUnlock(H_GROW_LOCK);
  return ok ? top : 0;
}

/**
 * Moves the top from `end` to `end + bytes` if the top is exactly `end` (the caller's block is
 * the last one): the block then grows in place. Returns whether it did.
 */
export function extend(end: usize, bytes: usize): bool {
  rawLock(H_GROW_LOCK);
  const ok = <usize>load32(H_HEAP_TOP) == end && ensure(end, bytes);
  if (ok) store32(H_HEAP_TOP, <i32>(end + bytes));
  rawUnlock(H_GROW_LOCK);
  return ok;
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

/** Counts one allocation refused for lack of memory. */
export function noteOom(): void { add32(H_OOM_COUNT, 1); }

/** Whether [top, top + bytes) lies inside the memory, growing it if needed. Under GROW_LOCK. */
function ensure(top: usize, bytes: usize): bool {
  if (bytes > TOP_LIMIT - top) return false;
  const end = <usize>memory.size() * PAGE;
  return top + bytes <= end || growFor(top + bytes - end);
}

function growFor(missing: usize): bool {
  const need = <i32>((missing + PAGE - 1) / PAGE);
  // Prefer some slack (1/8 of the memory), fall back to the exact need near the maximum.
  const slack = max(need, max(MIN_GROW_PAGES, memory.size() >> 3));
  if (memory.grow(slack) < 0 && memory.grow(need) < 0) return false;
  store32(H_MEM_BYTES, <i32>(<usize>memory.size() * PAGE)); // hosts refresh their views on this
  return true;
}
