// Block headers of the shared heap.
//
//          +-----------+-----------+------------------------------ - -
//   ptr-8  | SIZE u32  | STATE u32 | payload (ptr, 8-byte aligned)
//          +-----------+-----------+------------------------------ - -
//   SIZE   small block: its size-class index (< NUM_CLASSES)
//          large block: total bytes of the block, header included (> MAX_SMALL)
//   STATE  B_USED while allocated, B_FREE while on a free list; free() flips it with a cmpxchg,
//          so a double free (or a racing one) is detected instead of corrupting a list.
//   A free block keeps the next-free link in its first payload word (guarded by its list's lock).
import { load32, store32 } from "../sync/atomic";
import { H_HEAP_BASE, H_HEAP_TOP, NUM_CLASSES } from "../layout";

export const BLOCK_HEADER: usize = 8;
export const B_SIZE: usize = 8;   // offset back from the payload
export const B_STATE: usize = 4;  // offset back from the payload
export const B_USED: i32 = 0x0A110CED;
export const B_FREE: i32 = 0x0F4EE000;

/** Largest small block (header included); bigger requests are large blocks. */
export const MAX_SMALL: usize = 16384;

/** Block size (header included) of size class `c`: 16, 24, 32, 48, 64, 96, … 12288, 16384. */
// @ts-ignore: decorator
@inline export function classSize(c: i32): usize {
  return (c & 1) ? <usize>3 << ((c >> 1) + 3) : <usize>1 << ((c >> 1) + 4);
}

/** Smallest class whose blocks hold `total` bytes (header included); total <= MAX_SMALL. */
// @ts-ignore: decorator
@inline export function classOf(total: usize): i32 {
  if (total <= 16) return 0;
  const b = <i32>(32 - clz<u32>(<u32>total - 1)); // 2^b is the power of two >= total
  return total <= (<usize>3 << (b - 2)) ? 2 * b - 9 : 2 * (b - 4);
}

/** Whether `ptr` can be the payload of a block of this heap (range and alignment only). */
export function inHeap(ptr: usize): bool {
  // HEAP_BASE is written once before any other thread runs; HEAP_TOP only grows while blocks
  // live below it (large frees may lower it, but only past free blocks, see large.ts).
  return (ptr & 7) == 0 && ptr >= <usize>load32(H_HEAP_BASE) + BLOCK_HEADER
    && ptr < <usize>load32(H_HEAP_TOP);
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
