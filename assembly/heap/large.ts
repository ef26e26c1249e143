// Large blocks (> MAX_SMALL bytes): one address-ordered free list under LARGE_LOCK, first fit,
// split on allocation, coalesced with both neighbours on free. A free block that ends at the top
// of the heap is handed back to the bump region, so alloc/free cycles do not grow the heap.
//
// Free large block:  [SIZE = total bytes][STATE = B_FREE][next u32] …
import { load32, store32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { H_LARGE_LOCK, H_LARGE_HEAD } from "../layout";
import { setHeader, BLOCK_HEADER, B_FREE, B_USED, MAX_SMALL } from "./block";
import { bump, unbump } from "./grow";

/** Large blocks are multiples of 1 KiB; a split leaves a remainder only if it is still large. */
const GRAIN: usize = 1024;

// @ts-ignore: decorator
@inline function nextOf(b: usize): usize { return <usize>load32(b + BLOCK_HEADER); }
// @ts-ignore: decorator
@inline function setNext(b: usize, n: usize): void { store32(b + BLOCK_HEADER, <i32>n); }
// @ts-ignore: decorator
@inline function sizeOf(b: usize): usize { return <usize>load32(b); }

/** Rounds a request (header included) up to a large block size. */
export function largeSize(total: usize): usize {
  return (total + GRAIN - 1) & ~(GRAIN - 1);
}

/** A block of `size` bytes (from largeSize) as a payload pointer, or 0 when memory is exhausted. */
export function largeAlloc(size: usize): usize {
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
    } else {
      size = sizeOf(b);
    }
    if (prev == 0) store32(H_LARGE_HEAD, <i32>next); else setNext(prev, next);
  }
  rawUnlock(H_LARGE_LOCK);
  if (b == 0) b = bump(size);
  if (b == 0) return 0;
  setHeader(b, <u32>size, B_USED);
  return b + BLOCK_HEADER;
}

/** Returns a large block (its header address); its STATE is already B_FREE. */
export function largeFree(b: usize): void {
  rawLock(H_LARGE_LOCK);
  let prev: usize = 0;
  let next = <usize>load32(H_LARGE_HEAD);
  while (next != 0 && next < b) { prev = next; next = nextOf(next); }
  // Coalesce with the following block.
  if (next != 0 && b + sizeOf(b) == next) {
    store32(b, <i32>(sizeOf(b) + sizeOf(next)));
    next = nextOf(next);
  }
  // Coalesce with the preceding block.
  if (prev != 0 && prev + sizeOf(prev) == b) {
    store32(prev, <i32>(sizeOf(prev) + sizeOf(b)));
    b = prev;
    prev = findPrev(b);
  }
  // At the top of the heap: hand the bytes back to the bump region instead of listing them.
  if (next == 0 && unbump(b, sizeOf(b))) {
    if (prev == 0) store32(H_LARGE_HEAD, 0); else setNext(prev, 0);
  } else {
    setNext(b, next);
    if (prev == 0) store32(H_LARGE_HEAD, <i32>b); else setNext(prev, b);
  }
  rawUnlock(H_LARGE_LOCK);
}

function findPrev(b: usize): usize {
  let prev: usize = 0;
  let cur = <usize>load32(H_LARGE_HEAD);
  while (cur != 0 && cur < b) { prev = cur; cur = nextOf(cur); }
  return prev;
}
