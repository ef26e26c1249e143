// Block headers of the shared heap.
//
//          +-----------+-----------+------------------------------ - -
//   ptr-8  | SIZE u32  | STATE u32 | payload (ptr, 8-byte aligned)
//          +-----------+-----------+------------------------------ - -
//   SIZE   small block: its size-class index (< NUM_CLASSES)
//          large block: total bytes of the block, header included (> MAX_SMALL, a multiple of
//          LARGE_GRAIN)
//   STATE  B_USED while allocated, B_FREE while on a free list or in a thread cache (tcache.ts);
//          free() flips it with a cmpxchg, so a double free (or a racing one) is detected instead
//          of corrupting a list. (A thread's cache block itself has STATE 0: not a user block.)
//   A free block keeps the next-free link in its first payload word (guarded by its list's lock).
//
// Size classes (block bytes, header included), two per power of two:
//   class  0  1  2  3  4  5   6   7   8   9  10  11   12   13   14   15   16   17   18    19    20
//   bytes 16 24 32 48 64 96 128 192 256 384 512 768 1024 1536 2048 3072 4096 6144 8192 12288 16384
//
// Where no block lives, the memory holds either zeroes (never used) or stale headers of freed
// blocks, which read B_FREE: a block is marked B_FREE before it joins a list, is merged into a
// neighbour, or goes back to the bump region. So B_USED is only ever found in front of a live
// block (or, by accident, inside user data: the SIZE check below makes that rarer still).
import { load32, store32 } from "../sync/atomic";
import { H_HEAP_BASE, H_HEAP_TOP, NUM_CLASSES } from "../layout";
import { PAGE } from "./grow";

export const BLOCK_HEADER: usize = 8;
export const B_SIZE: usize = 8;   // offset back from the payload
export const B_STATE: usize = 4;  // offset back from the payload
export const B_USED: i32 = 0x0A110CED;
export const B_FREE: i32 = 0x0F4EE000;

/** Largest small block (header included); bigger requests are large blocks. */
export const MAX_SMALL: usize = 16384;
/** Large blocks are multiples of 1 KiB. */
export const LARGE_GRAIN: usize = 1024;

/** Block size (header included) of size class `c`: 16, 24, 32, 48, 64, 96, … 12288, 16384. */
// @ts-ignore: decorator
@inline export function classSize(c: i32): usize {
  return (c & 1) ? <usize>3 << ((c >> 1) + 3) : <usize>1 << ((c >> 1) + 4);
}

/** Smallest class whose blocks hold `total` bytes (header included); total <= MAX_SMALL. */
// @ts-ignore: decorator
@inline export function classOf(total: usize): i32 {
  if (total <= 16) return 0;
  // 2^b is the smallest power of two >= total; the classes just below it are 3 * 2^(b-2)
  // (odd class 2b - 9) and 2^b (even class 2(b - 4)).
  const b = <i32>(32 - clz<u32>(<u32>total - 1));
  return total <= (<usize>3 << (b - 2)) ? 2 * b - 9 : 2 * (b - 4);
}

/** Whether `ptr` can be the payload of a block of this heap (range and alignment only). */
export function inHeap(ptr: usize): bool {
  // HEAP_BASE is written once before any other thread runs; HEAP_TOP only grows while blocks
  // live below it (large frees may lower it, but only past free blocks, see large.ts).
  return (ptr & 7) == 0 && ptr >= <usize>load32(H_HEAP_BASE) + BLOCK_HEADER
    && ptr < <usize>load32(H_HEAP_TOP);
}

/**
 * Whether the SIZE word in front of `ptr` (which passed inHeap) is one a block can have: a class
 * index, or a large size that ends at or below the top. A live block's SIZE changes only by its
 * owner (realloc in place), so for a live block this holds at every moment.
 */
export function sizePlausible(ptr: usize): bool {
  const s = <usize>load32(ptr - B_SIZE);
  if (s < <usize>NUM_CLASSES) return true;
  return s > MAX_SMALL && (s & (LARGE_GRAIN - 1)) == 0 && s <= <usize>load32(H_HEAP_TOP) - (ptr - BLOCK_HEADER);
}

/**
 * Whether `ptr`, at or above the top, is the payload of a block that was freed and handed back to
 * the bump region (its header still reads B_FREE). Only reads, and only inside the memory.
 */
export function freedAboveTop(ptr: usize): bool {
  return (ptr & 7) == 0 && ptr >= <usize>load32(H_HEAP_TOP) + BLOCK_HEADER
    && ptr < <usize>memory.size() * PAGE && load32(ptr - B_STATE) == B_FREE;
}

/** Usable payload bytes of an allocated block. */
export function usableSize(ptr: usize): usize {
  const s = <usize>load32(ptr - B_SIZE);
  return (s < <usize>NUM_CLASSES ? classSize(<i32>s) : s) - BLOCK_HEADER;
}

// @ts-ignore: decorator
@inline export function setHeader(block: usize, size: u32, state: i32): void {
  store32(block, size);
  store32(block + 4, state);
}
