// Per-thread caches of small blocks (assembly/heap/tcache.ts), through the raw engine exports:
// exact accounting when blocks are allocated on one thread and freed on another, bounded caches,
// release at thread end, out-of-memory only when memory is truly exhausted, double-free detection
// for cached blocks, and a cross-thread stress with content checks. Each instance over the memory
// has its own cache (wasm globals are per instance), exactly like one thread.
import { describe, it, expect } from "vitest";
import { bootEngine, instantiate, runWorkers, type RawEngine } from "./fixtures/engine";
import { stress } from "./helpers";

const WORKER = new URL("./fixtures/tcache-worker.mjs", import.meta.url);
const SUCCESS = 0, DOUBLE_FREE = 7, INVALID_POINTER = 8;
const CLASSES = Array.from({ length: 21 }, (_, c) => (c & 1 ? 3 << ((c >> 1) + 3) : 1 << ((c >> 1) + 4)));
/** Blocks a cached class keeps at most: min(64, 16 KiB / block size), classes 0..14. */
const limitOf = (c: number) => Math.min(64, Math.floor(16384 / CLASSES[c]));
const MAX_CACHE = CLASSES.slice(0, 15).reduce((sum, size, c) => sum + limitOf(c) * size, 0);

function stats(x: RawEngine) {
  return { bytes: x.heap_bytes_used(), blocks: x.heap_blocks_used() };
}
/** Every size 0..2100 (each small class, cached or not, many times), plus some large blocks. */
function manySizes(): number[] {
  const sizes = Array.from({ length: 2101 }, (_, i) => i);
  for (let i = 0; i < 40; i++) sizes.push(2100 + i * 397, 16384 + i * 1000);
  return sizes;
}

describe("exact accounting across threads", () => {
  it("blocks allocated on one thread and freed on another leave bytes and blocks at the baseline", async () => {
    const { module, memory, x } = bootEngine();
    const baseline = stats(x);
    // Main allocates, a worker frees (its cache keeps some of them: they count as free).
    const sizes = manySizes();
    const ptrs = sizes.map((s) => x.heap_alloc(s));
    expect(ptrs.every((p) => p !== 0)).toBe(true);
    expect(x.heap_bytes_used()).toBeGreaterThan(baseline.bytes);
    let run = await runWorkers(WORKER, 1, () => ({ module, memory, agent: x.agent_claim(), mode: "free", ptrs }));
    expect(run.errors).toEqual([]);
    expect(run.results[0][0]).toBe(ptrs.length);
    expect(stats(x)).toEqual(baseline);
    // A worker allocates, main frees (main's cache fills and flushes to the class lists).
    const out = new SharedArrayBuffer(sizes.length * 4);
    run = await runWorkers(WORKER, 1, () => ({ module, memory, agent: x.agent_claim(), mode: "alloc", sizes, out }));
    expect(run.errors).toEqual([]);
    const theirs = new Int32Array(out);
    const u8 = new Uint8Array(memory.buffer);
    sizes.forEach((s, i) => {
      if (s > 0 && (u8[theirs[i]] !== (i & 0xff) || u8[theirs[i] + s - 1] !== (i & 0xff))) throw new Error(`block ${i} corrupted`);
    });
    for (const p of theirs) expect(x.heap_free(p)).toBe(SUCCESS);
    expect(stats(x)).toEqual(baseline);
    expect(x.heap_cache_bytes()).toBeLessThanOrEqual(x.heap_cache_max_bytes());
  });

  it("an instance without a cache (a kernel) frees blocks an engine instance allocated, and back", () => {
    const { module, memory, x } = bootEngine();
    const kernel = instantiate(module, memory); // no agent_attach: kernels never cache
    const baseline = stats(x);
    const a = Array.from({ length: 500 }, (_, i) => x.heap_alloc(i % 300));
    for (const p of a) expect(kernel.heap_free(p)).toBe(SUCCESS);
    expect(kernel.heap_cache_bytes()).toBe(0);
    const b = Array.from({ length: 500 }, (_, i) => kernel.heap_alloc(i % 300));
    for (const p of b) expect(x.heap_free(p)).toBe(SUCCESS);
    expect(stats(x)).toEqual(baseline);
  });
});

describe("bounded caches", () => {
  it("a thread freeing thousands of blocks of every cached class strands at most the cache limit", async () => {
    const { module, memory, x } = bootEngine();
    expect(x.heap_cache_max_bytes()).toBe(MAX_CACHE);
    const ptrs: number[] = [];
    for (let c = 0; c < 15; c++) for (let i = 0; i < 300; i++) ptrs.push(x.heap_alloc(CLASSES[c] - 8));
    x.heap_cache_release(); // main's refill leftovers go back
    const run = await runWorkers(WORKER, 1, () => ({ module, memory, agent: x.agent_claim(), mode: "free", ptrs }));
    expect(run.errors).toEqual([]);
    const [ok, most, max] = run.results[0];
    expect(ok).toBe(ptrs.length);
    expect(max).toBe(MAX_CACHE);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(MAX_CACHE);
    // Everything beyond the worker's (bounded) cache went back to the class lists: main gets it
    // again without growing the heap.
    const top = x.heap_top();
    for (let c = 0; c < 15; c++) {
      for (let i = 0; i < 300 - limitOf(c); i++) expect(x.heap_alloc(CLASSES[c] - 8)).not.toBe(0);
    }
    expect(x.heap_top()).toBe(top);
  });

  it("a cache that overflows keeps half its limit and hands the rest back in one batch", () => {
    const { x } = bootEngine();
    const ptrs = Array.from({ length: 1000 }, () => x.heap_alloc(8)); // class 0: 16-byte blocks
    x.heap_cache_release();
    for (let i = 0; i < 1000; i++) {
      expect(x.heap_free(ptrs[i])).toBe(SUCCESS);
      expect(x.heap_cache_bytes()).toBeLessThanOrEqual(limitOf(0) * 16);
    }
    expect(x.heap_cache_bytes()).toBeGreaterThanOrEqual((limitOf(0) / 2) * 16);
  });

  it("a thread that releases its cache at its end returns every cached block", async () => {
    const { module, memory, x } = bootEngine();
    const ptrs = Array.from({ length: 40 }, () => x.heap_alloc(40));
    x.heap_cache_release();
    const run = await runWorkers(WORKER, 1, () => ({ module, memory, agent: x.agent_claim(), mode: "free", ptrs, release: true }));
    expect(run.errors).toEqual([]);
    // All 40 blocks are back on the class list: allocating 40 again does not grow the heap, and
    // gives back exactly the blocks freed (in some order).
    const top = x.heap_top();
    const again = Array.from({ length: 40 }, () => x.heap_alloc(40));
    expect(x.heap_top()).toBe(top);
    expect(new Set(again)).toEqual(new Set(ptrs));
  });
});

describe("out of memory", () => {
  it("is reported only when memory is exhausted, after the thread's own cache went back", () => {
    const { module, memory, x } = bootEngine(40); // 40 pages: a small heap to exhaust
    const y = instantiate(module, memory);
    y.agent_attach(x.agent_claim(), 1); // a second thread's engine instance: its own cache
    const base = stats(x);
    // x fills the memory with 40-byte requests (48-byte blocks) until refused.
    const mine: number[] = [];
    for (let p = x.heap_alloc(40); p !== 0; p = x.heap_alloc(40)) mine.push(p);
    const n = mine.length;
    expect(n).toBeGreaterThan(1000);
    const oom = x.heap_oom_count();
    // x frees everything: its cache keeps up to limitOf(3) blocks, the class list gets the rest.
    for (const p of mine) expect(x.heap_free(p)).toBe(SUCCESS);
    const cachedInX = x.heap_cache_bytes() / 48;
    expect(cachedInX).toBeGreaterThan(0);
    expect(cachedInX).toBeLessThanOrEqual(limitOf(3));
    // y gets every block not in x's cache, then is refused.
    let m = 0;
    for (let p = y.heap_alloc(40); p !== 0; p = y.heap_alloc(40)) m++;
    expect(m).toBe(n - cachedInX);
    expect(y.heap_oom_count()).toBe(oom + 1);
    // x is refused a large block: before answering OUT_OF_MEMORY it releases its cache...
    expect(x.heap_alloc(1 << 20)).toBe(0);
    expect(x.heap_cache_bytes()).toBe(0);
    // ...so y now gets the rest, exactly: nothing is lost, and OOM comes only when all is used.
    let k = 0;
    for (let p = y.heap_alloc(40); p !== 0; p = y.heap_alloc(40)) k++;
    expect(m + k).toBe(n);
    expect(stats(x)).toEqual({ bytes: base.bytes + n * 48, blocks: base.blocks + n });
  });
});

describe("double free", () => {
  it("a block sitting in a thread's cache is free: a second free is DOUBLE_FREE, from any thread", () => {
    const { module, memory, x } = bootEngine();
    const y = instantiate(module, memory);
    y.agent_attach(x.agent_claim(), 1);
    const kernel = instantiate(module, memory);
    const before = stats(x);
    for (const size of [0, 8, 100, 500, 2000]) {
      const p = x.heap_alloc(size);
      expect(x.heap_free(p)).toBe(SUCCESS); // now in x's cache
      expect(x.heap_cache_bytes()).toBeGreaterThan(0);
      expect(x.heap_is_live(p)).toBe(0);
      expect(x.heap_free(p)).toBe(DOUBLE_FREE);
      expect(y.heap_free(p)).toBe(DOUBLE_FREE);
      expect(kernel.heap_free(p)).toBe(DOUBLE_FREE);
      expect(x.heap_usable_size(p)).toBe(0);
      expect(x.heap_realloc(p, 10)).toBe(0);
    }
    expect(stats(x)).toEqual(before);
    // (The cache block x made on its first allocation is not counted either: stats are equal.)
    const q = x.heap_alloc(8);
    expect(stats(x)).toEqual({ bytes: before.bytes + 16, blocks: before.blocks + 1 });
    expect(x.heap_free(q)).toBe(SUCCESS);
    expect([DOUBLE_FREE, INVALID_POINTER]).toContain(x.heap_free(q));
  });
});

describe("stress", () => {
  it("4 threads hand blocks to each other and churn their own, contents intact, accounting exact", async () => {
    const THREADS = 4, PER_ROUND = 64;
    const { module, memory, x } = bootEngine();
    const baseline = stats(x);
    const sync = new SharedArrayBuffer(8);
    const mail = new SharedArrayBuffer(THREADS * PER_ROUND * 2 * 4);
    const rounds = stress(60);
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      module, memory, agent: x.agent_claim(), mode: "handoff", threads: THREADS, rounds, perRound: PER_ROUND,
      seed: 0x7cac4e + i, sync, mail,
    }));
    expect(run.errors).toEqual([]);
    expect(run.failed).toBe(0);
    for (const r of run.results) {
      expect(r[0]).toBe(rounds * PER_ROUND);
      expect(r[1]).toBe(0);
    }
    expect(stats(x)).toEqual(baseline);
  });
});
