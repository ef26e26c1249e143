// The shared heap: thread-safe malloc / free / realloc over the one shared memory.
//
// No AssemblyScript runtime is thread-safe (DESIGN.md fact 3), so weft never uses `new` on shared
// paths: everything shared is allocated here. Small requests come from per-class free lists
// (small.ts), large ones from a coalescing first-fit list (large.ts), fresh memory from the bump
// region at the top of the heap (grow.ts). Every function here may be called from any thread.
// Small blocks pass through a per-thread cache first (tcache.ts): a free parks the block in the
// freeing thread's cache, a malloc takes from its own; the class lists are touched in batches.
//
// Accounting: BYTES_USED and BLOCKS_USED count live blocks (block bytes, header included);
// OOM_COUNT counts the malloc/realloc calls that returned 0 for lack of memory.
import { add32, sub32, add64, cas32, load32 } from "../sync/atomic";
import {
  H_BYTES_USED, NUM_CLASSES, SUCCESS, DOUBLE_FREE, INVALID_POINTER,
} from "../layout";
import {
  BLOCK_HEADER, B_SIZE, B_STATE, B_USED, B_FREE, MAX_SMALL, classOf, classSize, inHeap, usableSize,
  sizePlausible, freedAboveTop,
} from "./block";
import { cachedAlloc, cachedFree, tcacheRelease } from "./tcache";
import { largeAlloc, largeFree, largeSize, largeShrink, largeGrowAtTop } from "./large";
import { noteOom } from "./grow";

/** Largest request malloc accepts (well below the 1 GiB maximum memory). */
export const MAX_ALLOC: usize = 0x3FFF0000;

/**
 * BYTES_USED (offset 40) and BLOCKS_USED (44) are adjacent halves of one aligned i64 (little
 * endian: bytes low, blocks high), so malloc and free update both with ONE atomic add, one
 * round trip on that contended cache line instead of two (H_BLOCKS_USED = H_BYTES_USED + 4).
 * The i64 is the exact sum of every delta, whatever their order; its low half is the live bytes,
 * within [0, 2^30], so it never carries into or borrows from the high half (a block is freed only
 * after its malloc added its bytes), and each half still reads as its own u32.
 */
const BLOCK_ONE: i64 = 1 << 32;
// @ts-ignore: decorator
@inline function addUsage(delta: i64): void { add64(H_BYTES_USED, delta); }

/** `size` bytes, 8-byte aligned, uninitialised; 0 when the memory maximum is reached. */
export function malloc(size: usize): usize {
  const p: usize = size > MAX_ALLOC ? <usize>0 : allocBlock(size);
  if (p == 0) oomCold();
  return p;
}

/** Before reporting OUT_OF_MEMORY: hand this thread's cached blocks back (tcache.ts). */
function oomCold(): void {
  tcacheRelease();
  noteOom();
}

function allocBlock(size: usize): usize {
  const total = (size + BLOCK_HEADER + 7) & ~7;
  let p: usize, bytes: usize;
  if (total <= MAX_SMALL) {
    const c = classOf(total);
    p = cachedAlloc(c); // this thread's cache first (tcache.ts), then the class list
    bytes = classSize(c);
  } else {
    p = largeAlloc(largeSize(total));
    bytes = p != 0 ? <usize>load32(p - B_SIZE) : 0; // may be larger than asked (unsplit fit)
  }
  if (p != 0) addUsage(<i64>bytes | BLOCK_ONE);
  return p;
}

/** Frees a block: SUCCESS, DOUBLE_FREE, or INVALID_POINTER (not a block of this heap). */
export function free(ptr: usize): i32 {
  // Above the top: never a live block, but maybe one freed and handed back to the bump region.
  if (!inHeap(ptr)) return freedAboveTop(ptr) ? DOUBLE_FREE : INVALID_POINTER;
  if (!sizePlausible(ptr)) return INVALID_POINTER;
  // Claim the block: exactly one free() of an allocated block wins this cmpxchg.
  const was = cas32(ptr - B_STATE, B_USED, B_FREE);
  if (was != B_USED) return was == B_FREE ? DOUBLE_FREE : INVALID_POINTER;
  const block = ptr - BLOCK_HEADER;
  const s = <usize>load32(block);
  const bytes = s < <usize>NUM_CLASSES ? classSize(<i32>s) : s;
  addUsage(-(<i64>bytes | BLOCK_ONE));
  if (s < <usize>NUM_CLASSES) cachedFree(block, <i32>s); else largeFree(block);
  return SUCCESS;
}

/**
 * Resizes keeping the contents (the first min(old, new) bytes). Returns the block's new address,
 * which is `ptr` itself when it could resize in place; 0, with `ptr` untouched and still live,
 * when memory is exhausted or `ptr` is not a live block (realloc(0, n) is malloc(n)).
 */
export function realloc(ptr: usize, size: usize): usize {
  if (ptr == 0) return malloc(size);
  if (!isLive(ptr)) return 0;
  if (size > MAX_ALLOC) { oomCold(); return 0; }
  const block = ptr - BLOCK_HEADER;
  const s = <usize>load32(block);
  const total = (size + BLOCK_HEADER + 7) & ~7;
  if (s < <usize>NUM_CLASSES) {
    if (total <= classSize(<i32>s)) return ptr; // still fits its class: keep it
  } else if (total > MAX_SMALL) {
    // Large to large: give a large tail back, or grow in place if this is the last block.
    const want = largeSize(total);
    if (want <= s) {
      sub32(H_BYTES_USED, <i32>largeShrink(block, want));
      return ptr;
    }
    if (largeGrowAtTop(block, want)) {
      add32(H_BYTES_USED, <i32>(want - s));
      return ptr;
    }
  }
  // Move: small <-> large, a small block outgrowing its class, or a large one that cannot grow.
  // (A large block shrinking to a small size moves too, so the large bytes are released.)
  const have = usableSize(ptr);
  const p = allocBlock(size);
  if (p == 0) {
    if (size <= have) return ptr; // shrinking: keeping the large block is correct, just roomy
    oomCold();
    return 0;
  }
  memory.copy(p, ptr, min(have, size));
  free(ptr);
  return p;
}

/** Whether `ptr` is the payload of a live block. */
export function isLive(ptr: usize): bool {
  return inHeap(ptr) && sizePlausible(ptr) && load32(ptr - B_STATE) == B_USED;
}

export { usableSize };
