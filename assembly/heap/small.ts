// Small blocks: segregated free lists, one per size class, each under its own raw lock.
//
// Class c's list head lives at H_CLASSES + c*8 + 4, its lock at H_CLASSES + c*8. A list is only
// read or written by the holder of its lock, so the links inside free blocks need no atomics.
// An empty list is refilled by carving a run of fresh blocks from the bump region (lock order:
// class lock, then GROW_LOCK; nothing takes them the other way round). Threads reach these lists
// through their caches (tcache.ts) in batches: smallTake refills, smallGive hands a chain back.
import { load32, store32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { H_CLASSES, CLASS_STRIDE } from "../layout";
import { classSize, setHeader, BLOCK_HEADER, B_FREE, B_USED } from "./block";
import { bump } from "./grow";
import { largeTakeFree, largeSize } from "./large";

/** Bytes carved per refill: enough for 32 blocks, at most 64 KiB (and at least one block). */
const CARVE_BYTES: usize = 65536;
const CARVE_MAX_BLOCKS: usize = 32;

/** A block of class `c` (payload pointer), or 0 when memory is exhausted. */
export function smallAlloc(c: i32): usize {
  const cls = H_CLASSES + <usize>c * CLASS_STRIDE;
  rawLock(cls);
  let block = <usize>load32(cls + 4);
  if (block != 0) {
    store32(cls + 4, load32(block + BLOCK_HEADER)); // pop: head = block.next
  } else {
    block = carve(c, cls);
  }
  rawUnlock(cls);
  if (block == 0) return 0;
  setHeader(block, <u32>c, B_USED);
  return block + BLOCK_HEADER;
}

/** Returns a block (its header address) to class `c`; its STATE is already B_FREE. */
export function smallFree(block: usize, c: i32): void {
  const cls = H_CLASSES + <usize>c * CLASS_STRIDE;
  rawLock(cls);
  store32(block + BLOCK_HEADER, load32(cls + 4)); // block.next = head
  store32(cls + 4, <i32>block);
  rawUnlock(cls);
}

/**
 * Takes up to `want` (>= 1) free blocks of class `c` in ONE lock acquisition, for a thread cache
 * (tcache.ts): links them through their next words into a chain, writes its head and length to
 * the thread-private `slot` ({ head u32, count u32 }), and returns the length (0: memory is
 * exhausted). The blocks keep STATE = B_FREE: in a cache they still look free to free/isLive.
 */
export function smallTake(c: i32, want: u32, slot: usize): u32 {
  const cls = H_CLASSES + <usize>c * CLASS_STRIDE;
  let got: u32 = 0;
  let chain: usize = 0, last: usize = 0;
  rawLock(cls);
  while (got < want) {
    let block = <usize>load32(cls + 4);
    if (block != 0) {
      store32(cls + 4, load32(block + BLOCK_HEADER)); // pop: head = block.next
    } else {
      if (got > 0) break; // the list ran dry: what we have is enough, carve only for an empty cache
      block = carve(c, cls); // links the rest of the run into the list; its first block is ours
      if (block == 0) break;
      setHeader(block, <u32>c, B_FREE); // carve leaves the returned block's header unwritten
    }
    // Off the list, the block is ours alone: append it (the list's order is kept, so the block
    // freed last is handed out first, as without a cache).
    if (chain == 0) chain = block; else store32(last + BLOCK_HEADER, <i32>block);
    last = block;
    got++;
  }
  rawUnlock(cls);
  if (last != 0) store32(last + BLOCK_HEADER, 0);
  // The slot is thread-private memory (only its owner thread ever reads or writes it).
  store<u32>(slot, <u32>chain);
  store<u32>(slot, got, 4);
  return got;
}

/**
 * Returns a chain of free blocks of class `c` (linked through their next words, `first` to
 * `last`, STATE already B_FREE) to the class list in ONE lock acquisition.
 */
export function smallGive(c: i32, first: usize, last: usize): void {
  const cls = H_CLASSES + <usize>c * CLASS_STRIDE;
  rawLock(cls);
  store32(last + BLOCK_HEADER, load32(cls + 4)); // last.next = head
  store32(cls + 4, <i32>first);
  rawUnlock(cls);
}

/**
 * Carves a run of blocks; returns the first, links the rest into the (empty) list. Near the
 * memory maximum a full run may not fit while one block still does: then it carves just one,
 * so a request is refused only when not even its own block fits.
 */
function carve(c: i32, cls: usize): usize {
  const size = classSize(c);
  let count = max<usize>(1, min<usize>(CARVE_MAX_BLOCKS, CARVE_BYTES / size));
  let run = bump(size * count);
  if (run == 0 && count > 1) { count = 1; run = bump(size); }
  if (run == 0) {
    // The bump region is exhausted: reuse a freed large run (lock order: class, then LARGE_LOCK).
    run = largeTakeFree(largeSize(size));
    if (run == 0) return 0;
    count = <usize>load32(run) / size;
  }
  // The run is ours alone (above the old top) until its blocks are linked into the list below.
  let next: usize = 0;
  for (let i = count - 1; i >= 1; i--) {
    const b = run + i * size;
    setHeader(b, <u32>c, B_FREE);
    store32(b + BLOCK_HEADER, <i32>next);
    next = b;
  }
  store32(cls + 4, <i32>next);
  return run;
}
