// Large blocks (> MAX_SMALL bytes): one address-ordered free list under LARGE_LOCK, first fit,
// split on allocation, coalesced with both neighbours on free. A free block that ends at the top
// of the heap is handed back to the bump region, so alloc/free cycles do not grow the heap.
// A live block can shrink in place (its tail is freed) and, when it is the last block below the
// top, grow in place.
//
// Free large block:  [SIZE = total bytes][STATE = B_FREE][next u32] …
//
// Invariants (under LARGE_LOCK): the list is sorted by address; no two listed blocks touch (they
// would have been merged); no listed block ends at the top. The top only drops in unbump, which
// largeFree calls under LARGE_LOCK for the block it frees after merging it with its listed
// neighbours, so the top never lands on the end of a block that stays listed.
import { load32, store32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { H_LARGE_LOCK, H_LARGE_HEAD } from "../layout";
import { setHeader, BLOCK_HEADER, B_FREE, B_USED, MAX_SMALL, LARGE_GRAIN } from "./block";
import { bump, unbump, extend } from "./grow";

// @ts-ignore: decorator
@inline function nextOf(b: usize): usize { return <usize>load32(b + BLOCK_HEADER); }
// @ts-ignore: decorator
@inline function setNext(b: usize, n: usize): void { store32(b + BLOCK_HEADER, <i32>n); }
// @ts-ignore: decorator
@inline function sizeOf(b: usize): usize { return <usize>load32(b); }

/** Rounds a request (header included) up to a large block size. */
export function largeSize(total: usize): usize {
  return (total + LARGE_GRAIN - 1) & ~(LARGE_GRAIN - 1);
}

/** A block of `size` bytes (from largeSize) as a payload pointer, or 0 when memory is exhausted. */
export function largeAlloc(size: usize): usize {
  let b = largeTakeFree(size);
  if (b != 0) size = sizeOf(b);
  // Off the list (or fresh from the bump region), b is ours alone: its header needs no lock.
  else b = bump(size);
  if (b == 0) return 0;
  setHeader(b, <u32>size, B_USED);
  return b + BLOCK_HEADER;
}

/**
 * Takes a free run of at least `size` bytes (a multiple of GRAIN) off the list: first fit, split
 * when the rest is still large. Returns its address (its SIZE word holds its actual size), or 0.
 * Small size classes refill from here too once the bump region is exhausted, so memory freed as
 * large blocks serves small requests again.
 */
export function largeTakeFree(size: usize): usize {
  rawLock(H_LARGE_LOCK);
  let prev: usize = 0;
  let b = <usize>load32(H_LARGE_HEAD);
  while (b != 0 && sizeOf(b) < size) { prev = b; b = nextOf(b); }
  if (b != 0) {
    let next = nextOf(b);
    const rest = sizeOf(b) - size;
    if (rest > MAX_SMALL) {
      // Split: the tail stays on the list in b's place (address order is kept).
      const tail = b + size;
      setHeader(tail, <u32>rest, B_FREE);
      setNext(tail, next);
      next = tail;
      store32(b, <i32>size);
    }
    if (prev == 0) store32(H_LARGE_HEAD, <i32>next); else setNext(prev, next);
  }
  rawUnlock(H_LARGE_LOCK);
  return b;
}

/** Returns a large block (its header address); its STATE is already B_FREE. */
export function largeFree(b: usize): void {
  rawLock(H_LARGE_LOCK);
  let pprev: usize = 0, prev: usize = 0;
  let next = <usize>load32(H_LARGE_HEAD);
  while (next != 0 && next < b) { pprev = prev; prev = next; next = nextOf(next); }
  // Coalesce with the following block (b's SIZE is ours to change: b is not listed yet).
  if (next != 0 && b + sizeOf(b) == next) {
    store32(b, <i32>(sizeOf(b) + sizeOf(next)));
    next = nextOf(next);
  }
  // Coalesce with the preceding block: prev absorbs b and takes its place in the walk.
  if (prev != 0 && prev + sizeOf(prev) == b) {
    store32(prev, <i32>(sizeOf(prev) + sizeOf(b)));
    b = prev;
    prev = pprev;
  }
  // At the top of the heap: hand the bytes back to the bump region instead of listing them.
  // unbump re-checks the top under GROW_LOCK: a concurrent bump may have just moved it up.
  if (next == 0 && unbump(b, sizeOf(b))) {
    if (prev == 0) store32(H_LARGE_HEAD, 0); else setNext(prev, 0);
  } else {
    setNext(b, next);
    if (prev == 0) store32(H_LARGE_HEAD, <i32>b); else setNext(prev, b);
  }
  rawUnlock(H_LARGE_LOCK);
}

/**
 * Shrinks the live large block `b` to `size` bytes (from largeSize) if the tail that frees up is
 * itself large; the tail is freed (and coalesces). Returns the bytes given back (0: unchanged).
 */
export function largeShrink(b: usize, size: usize): usize {
  const rest = sizeOf(b) - size;
  if (rest <= MAX_SMALL) return 0;
  // b is live and ours: nobody else reads or writes its header or the tail until largeFree.
  store32(b, <i32>size);
  setHeader(b + size, <u32>rest, B_FREE);
  largeFree(b + size);
  return rest;
}

/**
 * Grows the live large block `b` to `size` bytes in place if it is the last block below the top.
 * Returns whether it did.
 */
export function largeGrowAtTop(b: usize, size: usize): bool {
  const have = sizeOf(b);
  if (!extend(b + have, size - have)) return false;
  store32(b, <i32>size);
  return true;
}
