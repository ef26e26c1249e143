// Per-thread caches of small blocks (the tcmalloc / mimalloc "thread cache" idea).
//
// Cross-thread message traffic mallocs a block on one thread and frees it on another; without a
// cache each of those is a round trip through the class lock (small.ts), a contended cache line.
// With it, free pushes onto the freeing thread's own list and malloc pops from the allocating
// thread's own list, no lock at all; the shared class lists are touched in batches only:
//   - an empty cache refills up to limit/2 blocks in ONE lock acquisition (smallTake),
//   - a cache past its limit hands its oldest half back in ONE lock acquisition (smallGive).
//
// Per-thread state: wasm globals are per instance, and every thread has its own engine
// instance, so TC (below) is this thread's. The cache itself is a small block of the heap:
//
//   TC -> +-----------+-----------+-----------+-----------+ - - - +-----------+-----------+
//         | head 0    | count 0   | head 1    | count 1   |       | head 14   | count 14  |
//         +-----------+-----------+-----------+-----------+ - - - +-----------+-----------+
//         one { head u32, count u32 } slot per cached class (classes 0..14: blocks <= 2 KiB);
//         a cached block links to the next through its first payload word, as on a class list.
//
// Only the owning thread ever reads or writes the cache block and the next words of the blocks
// in it, so those are plain loads and stores. Block headers stay atomic (store32): another
// thread may inspect them at any time (a wrong or racing free, isLive).
//
// Guarantees kept:
//   - Accounting: malloc/free update BYTES_USED / BLOCKS_USED exactly as before; a cached block
//     counts as free. The cache block itself is heap memory no user owns: it is not counted
//     (STATE 0, so free() of it is INVALID_POINTER and isLive is false).
//   - A cached block has STATE = B_FREE, written by free()'s cmpxchg before it is cached (or by
//     the class list it came from): a second free of it is DOUBLE_FREE, isLive says false.
//   - Bounded: class c caches at most limit(c) = min(64, 16 KiB / size) blocks, so one thread
//     strands at most 148 KiB (the sum over the 15 cached classes). A thread that ends flushes
//     its cache (heap_cache_release, called by the worker loop and at shutdown); one killed
//     without flushing (terminate()) leaks only that bounded amount.
//   - OOM: before malloc reports OUT_OF_MEMORY it releases this thread's cache to the shared
//     lists (where the other threads can reuse it). That cannot serve the failed request itself:
//     a small refill only fails with this class's cache empty, and small blocks never become
//     large ones, so nothing is retried.
//   - Kernels (assembly/lib) compile the same heap but never call tcacheEnable (only the engine's
//     agent_attach does): they go straight to the class lists and can free any block (a block
//     in a cache is a free block; freeing it again is a double free, as everywhere).
import { classSize, setHeader, BLOCK_HEADER, B_FREE, B_USED } from "./block";
import { smallAlloc, smallFree, smallTake, smallGive } from "./small";

/** Classes 0..CACHED_CLASSES-1 are cached (blocks up to 2 KiB, header included). */
const CACHED_CLASSES: i32 = 15;
const CACHE_MAX_BLOCKS: u32 = 64;
const CACHE_MAX_BYTES: u32 = 16384;
/** The class whose block holds the cache (15 slots * 8 = 120 bytes + header: 128-byte class). */
const TC_CLASS: i32 = 6;
const TC_BYTES: usize = <usize>CACHED_CLASSES * 8;

/** This thread's cache block (0: none yet). Per instance = per thread. */
let TC: usize = 0;
/** Whether this instance caches at all: the engine's agent_attach turns it on, kernels never. */
let TC_ON: bool = false;

export function tcacheEnable(): void { TC_ON = true; }

/** Most blocks class `c`'s cache holds: between 8 (2 KiB blocks) and 64. */
// @ts-ignore: decorator
@inline function limitOf(c: i32): u32 {
  return min<u32>(CACHE_MAX_BLOCKS, CACHE_MAX_BYTES / <u32>classSize(c));
}

/** A block of class `c` (payload pointer), or 0 when memory is exhausted. */
// @ts-ignore: decorator
@inline export function cachedAlloc(c: i32): usize {
  if (TC != 0 && c < CACHED_CLASSES) {
    const slot = TC + (<usize>c << 3);
    const block = <usize>load<u32>(slot); // thread-private slot
    if (block != 0) {
      store<u32>(slot, load<u32>(block + BLOCK_HEADER)); // pop: head = block.next (ours alone)
      store<u32>(slot, load<u32>(slot, 4) - 1, 4);
      setHeader(block, <u32>c, B_USED);
      return block + BLOCK_HEADER;
    }
  }
  return cachedAllocCold(c);
}

/** Returns a small block (header address, STATE already B_FREE) of class `c`. */
// @ts-ignore: decorator
@inline export function cachedFree(block: usize, c: i32): void {
  if (TC != 0 && c < CACHED_CLASSES) push(block, c);
  else cachedFreeCold(block, c);
}

/** Pushes `block` on this thread's list of class `c` (the cache exists); flushes when over. */
// @ts-ignore: decorator
@inline function push(block: usize, c: i32): void {
  const slot = TC + (<usize>c << 3);
  // The block is ours since free()'s cmpxchg: nobody else writes its next word.
  store<u32>(block + BLOCK_HEADER, load<u32>(slot)); // push: block.next = head
  store<u32>(slot, <u32>block);
  const n = load<u32>(slot, 4) + 1;
  store<u32>(slot, n, 4);
  if (n > limitOf(c)) flushCold(c, slot, n);
}

/** No cache yet (or an uncached class): make one (a thread that only frees needs it too). */
function cachedFreeCold(block: usize, c: i32): void {
  if (c < CACHED_CLASSES && TC_ON && (TC != 0 || tcacheCreate())) push(block, c);
  else smallFree(block, c);
}

/** Makes this thread's cache block; false when memory is exhausted (then nothing is cached). */
function tcacheCreate(): bool {
  const tc = smallAlloc(TC_CLASS);
  if (tc == 0) return false;
  // The cache block is nobody's allocation: STATE 0 (neither USED nor FREE, so a stray free of
  // it is INVALID_POINTER), not counted in BYTES_USED. Thread-private from here on.
  setHeader(tc - BLOCK_HEADER, <u32>TC_CLASS, 0);
  memory.fill(tc, 0, TC_BYTES);
  TC = tc;
  return true;
}

/** Cache miss (or no cache / an uncached class): refill a batch in one lock acquisition. */
function cachedAllocCold(c: i32): usize {
  if (!TC_ON || c >= CACHED_CLASSES) return smallAlloc(c);
  if (TC == 0 && !tcacheCreate()) return smallAlloc(c); // cannot even hold a cache: uncached
  const slot = TC + (<usize>c << 3);
  if (smallTake(c, max<u32>(1, limitOf(c) >> 1), slot) == 0) return 0;
  // smallTake wrote the chain into our slot: pop its first block (the fast path, now a hit).
  const block = <usize>load<u32>(slot);
  store<u32>(slot, load<u32>(block + BLOCK_HEADER));
  store<u32>(slot, load<u32>(slot, 4) - 1, 4);
  setHeader(block, <u32>c, B_USED);
  return block + BLOCK_HEADER;
}

/** Over the limit: keep the newest limit/2 blocks, give the rest back in one lock acquisition. */
function flushCold(c: i32, slot: usize, n: u32): void {
  const keep = limitOf(c) >> 1;
  // Walk to the last kept block; the blocks after it (the oldest) go back.
  let last = <usize>load<u32>(slot);
  for (let i: u32 = 1; i < keep; i++) last = <usize>load<u32>(last + BLOCK_HEADER);
  const first = <usize>load<u32>(last + BLOCK_HEADER);
  let tail = first;
  for (let i: u32 = keep + 1; i < n; i++) tail = <usize>load<u32>(tail + BLOCK_HEADER);
  store<u32>(last + BLOCK_HEADER, 0);
  store<u32>(slot, keep, 4);
  smallGive(c, first, tail);
}

/**
 * Gives every cached block back to the class lists, then the cache block itself (the next miss
 * makes a new one). Called when the thread ends and before malloc reports OUT_OF_MEMORY.
 * The cache block goes back with its own class's chain, at its tail: that class is released
 * last (the block is read until then), and the blocks users freed stay on top of the list.
 */
export function tcacheRelease(): void {
  const tc = TC;
  if (tc == 0) return;
  TC = 0;
  for (let c = 0; c < CACHED_CLASSES; c++) {
    if (c == TC_CLASS) continue;
    const slot = tc + (<usize>c << 3);
    const n = load<u32>(slot, 4);
    if (n != 0) smallGive(c, <usize>load<u32>(slot), chainTail(<usize>load<u32>(slot), n));
  }
  const slot = tc + (<usize>TC_CLASS << 3);
  const n = load<u32>(slot, 4);
  const tcBlock = tc - BLOCK_HEADER;
  setHeader(tcBlock, <u32>TC_CLASS, B_FREE);
  store<u32>(tc, 0); // tcBlock.next = 0 (slot 0 is already released)
  if (n == 0) {
    smallGive(TC_CLASS, tcBlock, tcBlock);
  } else {
    const first = <usize>load<u32>(slot);
    const tail = chainTail(first, n);
    store<u32>(tail + BLOCK_HEADER, <u32>tcBlock);
    smallGive(TC_CLASS, first, tcBlock);
  }
}

/** The last block of a cached chain of `n` (>= 1) blocks starting at `first`. */
function chainTail(first: usize, n: u32): usize {
  let last = first;
  for (let i: u32 = 1; i < n; i++) last = <usize>load<u32>(last + BLOCK_HEADER);
  return last;
}

/** Bytes this thread's cache holds (blocks only), for tests and monitoring. */
export function tcacheBytes(): u32 {
  if (TC == 0) return 0;
  let bytes: u32 = 0;
  for (let c = 0; c < CACHED_CLASSES; c++) bytes += load<u32>(TC + (<usize>c << 3), 4) * <u32>classSize(c);
  return bytes;
}

/** The most bytes one thread's cache can hold (the sum of the per-class limits). */
export function tcacheMaxBytes(): u32 {
  let bytes: u32 = 0;
  for (let c = 0; c < CACHED_CLASSES; c++) bytes += limitOf(c) * <u32>classSize(c);
  return bytes;
}
