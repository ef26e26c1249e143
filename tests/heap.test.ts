// The shared heap (assembly/heap/), exercised through the raw engine exports: each test boots the
// engine module on a fresh shared memory (tests/fixtures/engine.ts), without the public API.
import { describe, it, expect } from "vitest";
import { bootEngine, instantiate, runWorkers, constant, u8, u32, type RawEngine } from "./fixtures/engine";
import { stress } from "./helpers";

const HEADER = 8;
const MAX_SMALL = 16384;
const PAGE = 65536;
/** Block sizes of the 21 size classes, header included: 16, 24, 32, 48, … 12288, 16384. */
const CLASSES = Array.from({ length: 21 }, (_, c) => (c & 1 ? 3 << ((c >> 1) + 3) : 1 << ((c >> 1) + 4)));

const SUCCESS = 0, DOUBLE_FREE = 7, INVALID_POINTER = 8;

function fillBlock(mem: WebAssembly.Memory, p: number, size: number, byte: number): void {
  u8(mem).fill(byte, p, p + size);
}
function blockIs(mem: WebAssembly.Memory, p: number, size: number, byte: number): boolean {
  const b = u8(mem).subarray(p, p + size);
  return b.every((v) => v === byte);
}
function stats(x: RawEngine) {
  return { bytes: x.heap_bytes_used(), blocks: x.heap_blocks_used(), top: x.heap_top(), oom: x.heap_oom_count() };
}

describe("size classes", () => {
  it("gives every small request the smallest class that holds it", () => {
    const { x } = bootEngine();
    for (let size = 0; size <= MAX_SMALL - HEADER; size++) {
      const p = x.heap_alloc(size);
      expect(p % 8).toBe(0);
      const block = x.heap_usable_size(p) + HEADER;
      const c = CLASSES.indexOf(block);
      if (c < 0 || block < size + HEADER || (c > 0 && CLASSES[c - 1] >= size + HEADER)) {
        throw new Error(`size ${size}: got a ${block}-byte block`);
      }
      expect(x.heap_free(p)).toBe(SUCCESS);
    }
    expect(x.heap_blocks_used()).toBe(0);
    expect(x.heap_bytes_used()).toBe(0);
  });

  it("hands out every class boundary size exactly, with class-sized accounting", () => {
    const { x } = bootEngine();
    for (const block of CLASSES) {
      const p = x.heap_alloc(block - HEADER);
      expect(x.heap_usable_size(p)).toBe(block - HEADER);
      expect(x.heap_bytes_used()).toBe(block);
      const q = x.heap_alloc(block - HEADER + 1); // one byte more: the next class (or large)
      expect(x.heap_usable_size(q)).toBeGreaterThan(block - HEADER);
      expect(x.heap_free(q)).toBe(SUCCESS);
      expect(x.heap_free(p)).toBe(SUCCESS);
    }
  });

  it("rounds large requests up to 1 KiB blocks that hold them", () => {
    const { x } = bootEngine();
    for (let size = MAX_SMALL - HEADER + 1; size < MAX_SMALL + 8200; size += 7) {
      const p = x.heap_alloc(size);
      const block = x.heap_usable_size(p) + HEADER;
      expect(block % 1024).toBe(0);
      expect(block >= size + HEADER && block - 1024 < size + HEADER).toBe(true);
      expect(x.heap_bytes_used()).toBe(block);
      expect(x.heap_free(p)).toBe(SUCCESS);
    }
  });
});

describe("reuse", () => {
  it("alloc/free cycles of small blocks do not grow the heap after the first cycle", () => {
    const { x } = bootEngine();
    const sizes = [0, 8, 17, 40, 100, 500, 1000, 3000, 8000, 16376];
    let topAfterFirst = 0;
    for (let cycle = 0; cycle < 5; cycle++) {
      const ps = sizes.flatMap((s) => Array.from({ length: 40 }, () => x.heap_alloc(s)));
      expect(ps.every((p) => p !== 0)).toBe(true);
      // Free in a scrambled order.
      for (let i = 0; i < ps.length; i++) expect(x.heap_free(ps[(i * 7919) % ps.length])).toBe(SUCCESS);
      if (cycle === 0) topAfterFirst = x.heap_top();
      expect(x.heap_top()).toBe(topAfterFirst);
      expect(x.heap_blocks_used()).toBe(0);
    }
  });

  it("alloc/free cycles of large blocks give the memory back to the bump region", () => {
    const { x, memory } = bootEngine();
    const top0 = x.heap_top();
    let grown = 0;
    for (let cycle = 0; cycle < 5; cycle++) {
      const ps = Array.from({ length: 24 }, (_, i) => x.heap_alloc(16384 + i * 5000));
      expect(ps.every((p) => p !== 0)).toBe(true);
      for (let i = 0; i < ps.length; i++) expect(x.heap_free(ps[(i * 5) % ps.length])).toBe(SUCCESS);
      // Every block coalesced into one that ends at the top, which went back to the bump region.
      expect(x.heap_top()).toBe(top0);
      if (cycle === 0) grown = memory.buffer.byteLength;
      expect(memory.buffer.byteLength).toBe(grown); // the memory grew in the first cycle only
    }
    expect(x.heap_bytes_used()).toBe(0);
  });

  it("freed large neighbours coalesce: their combined size is allocated in their place", () => {
    const { x } = bootEngine();
    const a = x.heap_alloc(30000), b = x.heap_alloc(50000);
    const guard = x.heap_alloc(20000); // keeps a and b away from the heap top
    const blockA = x.heap_usable_size(a) + HEADER, blockB = x.heap_usable_size(b) + HEADER;
    expect(b).toBe(a + blockA);
    expect(x.heap_free(a)).toBe(SUCCESS);
    expect(x.heap_free(b)).toBe(SUCCESS);
    const top = x.heap_top();
    const ab = x.heap_alloc(blockA + blockB - HEADER);
    expect(ab).toBe(a);
    expect(x.heap_top()).toBe(top);
    expect(x.heap_free(ab)).toBe(SUCCESS);
    expect(x.heap_free(guard)).toBe(SUCCESS);
  });

  it("a block freed between two free neighbours merges with both", () => {
    const { x } = bootEngine();
    const [a, b, c] = [x.heap_alloc(20000), x.heap_alloc(40000), x.heap_alloc(60000)];
    const guard = x.heap_alloc(20000);
    const total = [a, b, c].reduce((n, p) => n + x.heap_usable_size(p) + HEADER, 0);
    expect(x.heap_free(a)).toBe(SUCCESS);
    expect(x.heap_free(c)).toBe(SUCCESS);
    expect(x.heap_free(b)).toBe(SUCCESS);
    const top = x.heap_top();
    const abc = x.heap_alloc(total - HEADER);
    expect(abc).toBe(a);
    expect(x.heap_top()).toBe(top);
    for (const p of [abc, guard]) expect(x.heap_free(p)).toBe(SUCCESS);
  });

  it("splits a large free block and keeps the rest for the next request", () => {
    const { x } = bootEngine();
    const big = x.heap_alloc(200000);
    const guard = x.heap_alloc(20000);
    expect(x.heap_free(big)).toBe(SUCCESS);
    const top = x.heap_top();
    const first = x.heap_alloc(50000), second = x.heap_alloc(50000);
    expect(first).toBe(big);
    expect(second).toBe(first + x.heap_usable_size(first) + HEADER);
    expect(x.heap_top()).toBe(top);
    for (const p of [first, second, guard]) expect(x.heap_free(p)).toBe(SUCCESS);
  });

  it("a block freed by one instance is reused by another over the same memory", () => {
    const { module, memory, x } = bootEngine();
    const other = instantiate(module, memory);
    other.agent_attach(x.agent_claim(), 1);
    const p = x.heap_alloc(50);
    // Thread caches (heap/tcache.ts): x's refill batch goes back to the class list now, and p,
    // freed by other, sits in other's cache until that thread ends and releases it.
    x.heap_cache_release();
    expect(other.heap_is_live(p)).toBe(1);
    expect(other.heap_free(p)).toBe(SUCCESS);
    expect(x.heap_is_live(p)).toBe(0);
    other.heap_cache_release();
    expect(x.heap_alloc(50)).toBe(p); // LIFO free list of its class
    expect(other.heap_bytes_used()).toBe(x.heap_bytes_used());
  });
});

describe("bad frees", () => {
  it("a double free returns DOUBLE_FREE and changes nothing", () => {
    const { x, memory } = bootEngine();
    for (const size of [24, 5000, 40000]) {
      const p = x.heap_alloc(size);
      const keep = x.heap_alloc(size); // a live neighbour, and (large) keeps p off the heap top
      fillBlock(memory, keep, size, 0x5a);
      expect(x.heap_free(p)).toBe(SUCCESS);
      const before = stats(x);
      expect(x.heap_free(p)).toBe(DOUBLE_FREE);
      expect(stats(x)).toEqual(before);
      expect(x.heap_alloc(size)).toBe(p); // the free list is intact: p comes back once
      expect(x.heap_alloc(size)).not.toBe(p);
      expect(blockIs(memory, keep, size, 0x5a)).toBe(true);
    }
  });

  it("a double free of a large block already handed back to the bump region returns DOUBLE_FREE", () => {
    const { x } = bootEngine();
    const top = x.heap_top();
    const p = x.heap_alloc(40000);
    expect(x.heap_free(p)).toBe(SUCCESS);
    expect(x.heap_top()).toBe(top);
    const before = stats(x);
    expect(x.heap_free(p)).toBe(DOUBLE_FREE);
    expect(stats(x)).toEqual(before);
  });

  it("invalid pointers return INVALID_POINTER and change nothing", () => {
    const { x, memory } = bootEngine();
    const base = u32(memory)[constant(x, "H_HEAP_BASE") >>> 2];
    const small = x.heap_alloc(64), large = x.heap_alloc(40000);
    fillBlock(memory, small, 64, 0);
    fillBlock(memory, large, 40000, 0x11);
    const before = stats(x);
    const bad = [
      0, 4, 1024, base - 8, base, base + 4, // null, header, below the heap's first payload
      small + 1, small + 4, large + 2,        // unaligned
      small + 8, small + 16, large + 8, large + 1024, // inside a block
      x.heap_top(), x.heap_top() + 8, memory.buffer.byteLength - 8, memory.buffer.byteLength + 64, 0xfffffff8, // beyond the top
    ];
    for (const p of bad) {
      expect([p, x.heap_free(p)]).toEqual([p, INVALID_POINTER]);
      expect(x.heap_is_live(p)).toBe(0);
      expect(x.heap_usable_size(p)).toBe(0);
    }
    expect(stats(x)).toEqual(before);
    expect(blockIs(memory, small, 64, 0)).toBe(true);
    expect(blockIs(memory, large, 40000, 0x11)).toBe(true);
    expect(x.heap_free(small)).toBe(SUCCESS);
    expect(x.heap_free(large)).toBe(SUCCESS);
  });

  it("a pointer inside a block whose data imitates a live header is refused when the size is implausible", () => {
    const { x, memory } = bootEngine();
    const p = x.heap_alloc(4000);
    const fake = p + 64;
    const w = u32(memory);
    w[(fake - 8) >>> 2] = 0x12345678; // SIZE: neither a class nor a large size below the top
    w[(fake - 4) >>> 2] = 0x0a110ced; // STATE: B_USED
    const before = stats(x);
    expect(x.heap_is_live(fake)).toBe(0);
    expect(x.heap_free(fake)).toBe(INVALID_POINTER);
    expect(u32(memory)[(fake - 4) >>> 2]).toBe(0x0a110ced); // not claimed
    expect(stats(x)).toEqual(before);
    expect(x.heap_free(p)).toBe(SUCCESS);
  });
});

describe("realloc", () => {
  it("keeps the contents while growing through small and large sizes", () => {
    const { x, memory } = bootEngine();
    let p = x.heap_alloc(10), size = 10;
    fillBlock(memory, p, size, 0x77);
    for (const next of [30, 200, 5000, 16376, 16377, 70000, 300000]) {
      const q = x.heap_realloc(p, next);
      expect(q).not.toBe(0);
      expect(blockIs(memory, q, size, 0x77)).toBe(true);
      expect(x.heap_usable_size(q)).toBeGreaterThanOrEqual(next);
      fillBlock(memory, q, next, 0x77);
      p = q; size = next;
    }
    expect(x.heap_blocks_used()).toBe(1);
    expect(x.heap_free(p)).toBe(SUCCESS);
    expect(x.heap_bytes_used()).toBe(0);
  });

  it("returns the same block when the new size still fits", () => {
    const { x } = bootEngine();
    const p = x.heap_alloc(1000);
    const usable = x.heap_usable_size(p);
    expect(x.heap_realloc(p, usable)).toBe(p);
    expect(x.heap_realloc(p, 1)).toBe(p);
    expect(x.heap_free(p)).toBe(SUCCESS);
  });

  it("grows the last large block in place at the heap top", () => {
    const { x, memory } = bootEngine();
    const p = x.heap_alloc(40000);
    fillBlock(memory, p, 40000, 0x3c);
    const q = x.heap_realloc(p, 100000);
    expect(q).toBe(p);
    expect(x.heap_usable_size(q)).toBeGreaterThanOrEqual(100000);
    expect(x.heap_top()).toBe(q - HEADER + x.heap_usable_size(q) + HEADER);
    expect(x.heap_bytes_used()).toBe(x.heap_usable_size(q) + HEADER);
    expect(blockIs(memory, q, 40000, 0x3c)).toBe(true);
    expect(x.heap_free(q)).toBe(SUCCESS);
  });

  it("shrinks a large block in place and frees its large tail for reuse", () => {
    const { x, memory } = bootEngine();
    const p = x.heap_alloc(200000);
    const guard = x.heap_alloc(100); // keeps the tail off the heap top
    fillBlock(memory, p, 30000, 0x6b);
    const top = x.heap_top();
    expect(x.heap_realloc(p, 30000)).toBe(p);
    const block = x.heap_usable_size(p) + HEADER;
    expect(block).toBe(Math.ceil((30000 + HEADER) / 1024) * 1024);
    expect(x.heap_bytes_used()).toBe(block + 16 * 8); // guard is in the 128-byte class
    expect(blockIs(memory, p, 30000, 0x6b)).toBe(true);
    const tail = x.heap_alloc(150000); // fits in the freed tail: no growth
    expect(tail).toBe(p + block);
    expect(x.heap_top()).toBe(top);
    for (const q of [p, guard, tail]) expect(x.heap_free(q)).toBe(SUCCESS);
  });

  it("moves a large block shrinking to a small size, releasing the large bytes", () => {
    const { x, memory } = bootEngine();
    const p = x.heap_alloc(100000);
    fillBlock(memory, p, 100, 0x2d);
    const q = x.heap_realloc(p, 100);
    expect(q).not.toBe(p);
    expect(x.heap_usable_size(q)).toBe(120); // the 128-byte class
    expect(blockIs(memory, q, 100, 0x2d)).toBe(true);
    expect(x.heap_is_live(p)).toBe(0);
    expect(x.heap_bytes_used()).toBe(128);
    const top = x.heap_top();
    expect(x.heap_alloc(100000)).toBe(p); // the large block is free for the next large request
    expect(x.heap_top()).toBe(top);
  });

  it("acts as malloc on a null pointer, and refuses invalid pointers without touching the heap", () => {
    const { x } = bootEngine();
    const p = x.heap_realloc(0, 48);
    expect(x.heap_is_live(p)).toBe(1);
    expect(x.heap_free(p)).toBe(SUCCESS);
    const before = stats(x);
    expect(x.heap_realloc(p, 100)).toBe(0); // freed
    expect(x.heap_realloc(p + 4, 100)).toBe(0); // unaligned
    expect(stats(x)).toEqual(before);
  });

  it("leaves the block intact when the new size cannot be had", () => {
    const { x, memory } = bootEngine(40);
    const p = x.heap_alloc(1000);
    fillBlock(memory, p, 1000, 0x42);
    const before = stats(x);
    expect(x.heap_realloc(p, 64 * PAGE)).toBe(0);
    expect(x.heap_oom_count()).toBe(before.oom + 1);
    expect(x.heap_is_live(p)).toBe(1);
    expect(blockIs(memory, p, 1000, 0x42)).toBe(true);
    expect(x.heap_bytes_used()).toBe(before.bytes);
    expect(x.heap_free(p)).toBe(SUCCESS);
  });
});

describe("out of memory", () => {
  it("returns 0 at the memory maximum, counts it, and recovers once blocks are freed", () => {
    const MAX_PAGES = 40;
    const { x, memory } = bootEngine(MAX_PAGES);
    const blocks: { p: number; size: number; tag: number }[] = [];
    const sizes = [50000, 3000, 100]; // large, then mid-sized, then small: fill every gap
    let oom = x.heap_oom_count();
    for (const size of sizes) {
      for (;;) {
        const p = x.heap_alloc(size);
        if (p === 0) break;
        const tag = blocks.length & 0xff;
        fillBlock(memory, p, size, tag);
        blocks.push({ p, size, tag });
      }
      expect(x.heap_oom_count()).toBe(++oom);
      // Refused only when it truly did not fit: less than one block is left above the top.
      const block = CLASSES.find((c) => c >= size + HEADER) ?? Math.ceil((size + HEADER) / 1024) * 1024;
      expect(memory.buffer.byteLength - x.heap_top()).toBeLessThan(block);
    }
    expect(memory.buffer.byteLength).toBe(MAX_PAGES * PAGE);
    expect(x.heap_alloc(0xffffffff)).toBe(0); // beyond any memory: refused and counted
    expect(x.heap_oom_count()).toBe(++oom);
    // Free every other block; the same sizes fit again, and the survivors are intact.
    const survivors = blocks.filter((_, i) => i % 2 === 0);
    blocks.filter((_, i) => i % 2 === 1).forEach((b) => expect(x.heap_free(b.p)).toBe(SUCCESS));
    for (const size of sizes) {
      const p = x.heap_alloc(size);
      expect(p).not.toBe(0);
      fillBlock(memory, p, size, 0xee);
      survivors.push({ p, size, tag: 0xee });
    }
    for (const b of survivors) expect(blockIs(memory, b.p, b.size, b.tag)).toBe(true);
    for (const b of survivors) expect(x.heap_free(b.p)).toBe(SUCCESS);
    expect(x.heap_bytes_used()).toBe(0);
    expect(x.heap_blocks_used()).toBe(0);
    expect(x.heap_oom_count()).toBe(oom);
  });

  it("memory freed as large blocks serves small size classes once the bump region is exhausted", () => {
    const MAX_PAGES = 40;
    const { x, memory } = bootEngine(MAX_PAGES);
    const big: number[] = [];
    for (let p; (p = x.heap_alloc(50000)) !== 0;) big.push(p);
    while (x.heap_alloc(16) !== 0); // exhaust even the smallest class's tail
    for (const p of big) expect(x.heap_free(p)).toBe(SUCCESS);
    // A class never used before (200-byte requests: 256-byte blocks) must refill from freed runs.
    const small: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const p = x.heap_alloc(200);
      expect(p).not.toBe(0);
      fillBlock(memory, p, 200, i & 0xff);
      small.push(p);
    }
    small.forEach((p, i) => expect(blockIs(memory, p, 200, i & 0xff)).toBe(true));
    for (const p of small) expect(x.heap_free(p)).toBe(SUCCESS);
  });
});

describe("concurrency", () => {
  const WORKER = new URL("./fixtures/heap-worker.mjs", import.meta.url);

  it.each(["weft.wasm", "weft.debug.wasm"])("threads doing random malloc/free/realloc never overlap and free every block (%s)", async (file) => {
    const THREADS = 4;
    const { module, memory, x } = bootEngine(16384, file);
    // A block the main thread keeps across the run: its pattern must survive untouched.
    const mine = x.heap_alloc(777);
    fillBlock(memory, mine, 777, 0x99);
    const baseline = stats(x);
    const iterations = stress(3000);
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      module, memory, agent: x.agent_claim(), iterations, seed: 0x5eed + i, maxLive: 64,
    }));
    expect(run.errors).toEqual([]);
    expect(run.failed).toBe(0);
    for (const r of run.results) {
      const [allocs, frees, reallocs] = r;
      expect(allocs).toBeGreaterThan(0);
      expect(reallocs).toBeGreaterThan(0);
      expect(frees).toBe(allocs); // every block allocated was freed (realloc keeps the count)
      expect(allocs + reallocs + frees).toBeGreaterThanOrEqual(iterations);
    }
    expect(x.heap_bytes_used()).toBe(baseline.bytes);
    expect(x.heap_blocks_used()).toBe(baseline.blocks);
    expect(blockIs(memory, mine, 777, 0x99)).toBe(true);
    expect(x.heap_free(mine)).toBe(SUCCESS);
  });

  it("threads freeing the same blocks at once: exactly one free of each block succeeds", async () => {
    const THREADS = 3;
    const { module, memory, x } = bootEngine();
    const baseline = stats(x);
    const agents = Array.from({ length: THREADS }, () => x.agent_claim());
    for (let round = 0; round < stress(5); round++) {
      const sizes = Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? 20000 + i * 100 : (i * 37) % 2000));
      const ptrs = sizes.map((s) => x.heap_alloc(s));
      const run = await runWorkers(WORKER, THREADS, (i) => ({
        module, memory, agent: agents[i], mode: "race-free", ptrs,
      }));
      expect(run.errors).toEqual([]);
      const sum = (k: number) => run.results.reduce((n, r) => n + r[k], 0);
      expect(sum(0)).toBe(ptrs.length);                  // SUCCESS: once per block
      expect(sum(1)).toBe(ptrs.length * (THREADS - 1)); // DOUBLE_FREE for every other try
      expect(sum(2)).toBe(0);
      expect(stats(x).bytes).toBe(baseline.bytes);
      expect(stats(x).blocks).toBe(baseline.blocks);
      // The lists are intact: the same blocks come back, each once.
      const again = sizes.map((s) => x.heap_alloc(s));
      expect(new Set(again).size).toBe(again.length);
      for (const p of again) expect(x.heap_free(p)).toBe(SUCCESS);
    }
  });
});
