// The shared heap: thread-safe malloc / free / realloc over the one shared memory.
//
// No AssemblyScript runtime is thread-safe (DESIGN.md fact 3), so weft never uses `new` on shared
// paths: everything shared is allocated here. Small requests come from per-class free lists
// (small.ts), large ones from a coalescing first-fit list (large.ts), fresh memory from the bump
// region at the top of the heap (grow.ts). Every function here may be called from any thread.
import { add32, sub32, cas32, load32 } from "../sync/atomic";
import {
  H_BYTES_USED, H_BLOCKS_USED, NUM_CLASSES, SUCCESS, DOUBLE_FREE, INVALID_POINTER,
} from "../layout";
import {
  BLOCK_HEADER, B_SIZE, B_STATE, B_USED, B_FREE, MAX_SMALL, classOf, classSize, inHeap, usableSize,
} from "./block";
import { smallAlloc, smallFree } from "./small";
import { largeAlloc, largeFree, largeSize } from "./large";

/** Largest request malloc accepts (well below the 1 GiB maximum memory). */
export const MAX_ALLOC: usize = 0x3FFF0000;

/** `size` bytes, 8-byte aligned, uninitialised; 0 when the memory maximum is reached. */
export function malloc(size: usize): usize {
  if (size > MAX_ALLOC) return 0;
  const total = (size + BLOCK_HEADER + 7) & ~7;
  let p: usize, bytes: usize;
  if (total <= MAX_SMALL) {
    const c = classOf(total);
    p = smallAlloc(c);
    bytes = classSize(c);
  } else {
    bytes = largeSize(total);
    p = largeAlloc(bytes);
    if (p != 0) bytes = <usize>load32(p - B_SIZE); // may be larger than asked (unsplit fit)
  }
  if (p != 0) {
    add32(H_BYTES_USED, <i32>bytes);
    add32(H_BLOCKS_USED, 1);
  }
  return p;
}

/** Frees a block: SUCCESS, DOUBLE_FREE, or INVALID_POINTER (not a block of this heap). */
export function free(ptr: usize): i32 {
  if (!inHeap(ptr)) return INVALID_POINTER;
  // Claim the block: exactly one free() of an allocated block wins this cmpxchg.
  const was = cas32(ptr - B_STATE, B_USED, B_FREE);
  if (was != B_USED) return was == B_FREE ? DOUBLE_FREE : INVALID_POINTER;
  const block = ptr - BLOCK_HEADER;
  const s = <usize>load32(block);
  const bytes = s < <usize>NUM_CLASSES ? classSize(<i32>s) : s;
  sub32(H_BYTES_USED, <i32>bytes);
  sub32(H_BLOCKS_USED, 1);
  if (s < <usize>NUM_CLASSES) smallFree(block, <i32>s); else largeFree(block);
  return SUCCESS;
}

/** Resizes keeping the contents; 0 (and `ptr` untouched) when memory is exhausted. */
export function realloc(ptr: usize, size: usize): usize {
  if (ptr == 0) return malloc(size);
  if (!isLive(ptr)) return 0;
  const have = usableSize(ptr);
  if (size <= have) return ptr;
  const p = malloc(size);
  if (p == 0) return 0;
  memory.copy(p, ptr, have);
  free(ptr);
  return p;
}

/** Whether `ptr` is the payload of a live block. */
export function isLive(ptr: usize): bool {
  return inHeap(ptr) && load32(ptr - B_STATE) == B_USED;
}

export { usableSize };
