// weft's AssemblyScript library (assembly/lib): a user kernel compiled against it
// (tests/fixtures/kernel.ts) shares the engine's heap, Mutexes and futex words through the one
// shared memory, with the kernel and engine instances of each thread attached to the same agent.
import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { bootEngine, instantiate, runWorkers, constant, u8, u32, type RawEngine } from "./fixtures/engine";
import { parseWasm } from "./fixtures/wasm-sections";
import { stress } from "./helpers";
// @ts-expect-error: a plain .mjs build script without types
import { buildKernel } from "./fixtures/build-kernel.mjs";

const WORKER = new URL("./fixtures/kernel-worker.mjs", import.meta.url);
const SUCCESS = 0, WOULD_BLOCK = 1, TIMEOUT = 2, POISONED = 3, NOT_OWNER = 4, INVALID_HANDLE = 5;
const WOULD_DEADLOCK = 9, INVALID_ARGUMENT = 11;

let kernelBytes: Uint8Array;
let kernelModule: WebAssembly.Module;

beforeAll(() => {
  kernelBytes = readFileSync(buildKernel() as string);
  kernelModule = new WebAssembly.Module(kernelBytes);
}, 120_000);

/** The engine on a fresh memory (agent 1 on this thread) and a kernel instance attached as `agent`. */
function boot(agent = 1) {
  const e = bootEngine();
  const kernel = instantiate(kernelModule, e.memory);
  kernel.agent_attach(agent, 1);
  return { ...e, kernel };
}

function mutexState(x: RawEngine, memory: WebAssembly.Memory, m: number) {
  const w = u32(memory);
  return { state: w[(m + constant(x, "M_STATE")) >>> 2], owner: w[(m + constant(x, "M_OWNER")) >>> 2] };
}

describe("the kernel module", () => {
  it("has no data segments, no start function, and imports only env.memory and weft.now", () => {
    const info = parseWasm(kernelBytes);
    expect(info.dataCount ?? 0).toBe(0);
    expect(info.dataCountSection ?? 0).toBe(0);
    expect(info.hasStart).toBe(false);
    expect(info.imports.map((i) => `${i.module}.${i.name}`).sort()).toEqual(["env.memory", "weft.now"]);
    expect(info.imports.find((i) => i.kind === "memory")!.memory).toMatchObject({ flags: 3, min: 17, max: 16384 });
  });

  it("instantiating it over a live engine memory changes no byte of it", () => {
    const { x, memory } = bootEngine();
    const p = x.heap_alloc(5000);
    u8(memory).fill(0xab, p, p + 5000);
    const before = u8(memory).slice();
    const kernel = instantiate(kernelModule, memory);
    kernel.agent_attach(1, 1);
    expect(Buffer.compare(u8(memory), before)).toBe(0);
  });
});

describe("one heap", () => {
  it("a block the kernel allocates is freed by the engine, and the other way round", () => {
    const { x, memory, kernel } = boot();
    const base = { bytes: x.heap_bytes_used(), blocks: x.heap_blocks_used() };
    const a = kernel.kernel_alloc(100), b = x.heap_alloc(40000);
    // From the header's heap (base written by engine_init), not from the kernel's own statics.
    expect(a).toBeGreaterThan(u32(memory)[constant(x, "H_HEAP_BASE") >>> 2]);
    expect(x.heap_is_live(a)).toBe(1);
    expect(x.heap_blocks_used()).toBe(base.blocks + 2);
    expect(x.heap_free(a)).toBe(SUCCESS);
    expect(kernel.kernel_free(b)).toBe(SUCCESS);
    expect(kernel.kernel_free(b)).toBe(7); // DOUBLE_FREE, seen through the kernel's copy of free
    expect({ bytes: x.heap_bytes_used(), blocks: x.heap_blocks_used() }).toEqual(base);
    // Both modules hand out from the same free lists: the engine's freed block comes back (once
    // the engine thread's cache, heap/tcache.ts, hands it back, as it does when the thread ends).
    x.heap_cache_release();
    expect(kernel.kernel_alloc(100)).toBe(a);
  });
});

describe("Mutex from a kernel", () => {
  it("kernels in three workers and the engine on the main thread lock one Mutex: the total is exact", async () => {
    const THREADS = 3, N = stress(20000);
    const { module, memory, x } = bootEngine();
    const m = x.mutex_new(constant(x, "KIND_NUMBER"));
    const counter = x.heap_alloc(4);
    u32(memory)[counter >>> 2] = 0;
    const agents = Array.from({ length: THREADS }, () => x.agent_claim());
    let mainBad = 0;
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: "locked-add", mutex: m, counter, n: N,
    }), () => {
      // The main thread competes through the engine's own exports, with a plain JS increment.
      for (let i = 0; i < N; i++) {
        if (x.mutex_lock(m, Infinity) !== SUCCESS) mainBad++;
        const w = u32(memory);
        w[counter >>> 2] = w[counter >>> 2] + 1;
        if (x.mutex_unlock(m) !== SUCCESS) mainBad++;
      }
    });
    expect(run.errors).toEqual([]);
    expect(run.results.map((r) => r[0])).toEqual(agents); // each kernel instance knew its agent
    expect(run.results.map((r) => r[1])).toEqual([0, 0, 0]);
    expect(mainBad).toBe(0);
    expect(u32(memory)[counter >>> 2]).toBe((THREADS + 1) * N);
    expect(mutexState(x, memory, m)).toEqual({ state: 0, owner: 0 });
  });

  it("kernels increment a Mutex<number>'s own value slot under the lock", async () => {
    const THREADS = 2, N = stress(20000);
    const { module, memory, x } = bootEngine();
    const m = x.mutex_new(constant(x, "KIND_NUMBER"));
    const agents = Array.from({ length: THREADS }, () => x.agent_claim());
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: "locked-add-value", mutex: m, n: N,
    }));
    expect(run.errors).toEqual([]);
    expect(run.results.map((r) => r[1])).toEqual([0, 0]);
    expect(new Float64Array(memory.buffer)[(m + constant(x, "M_VALUE")) >>> 3]).toBe(THREADS * N);
  });

  it("ownership is per agent across modules: same agent may unlock, another may not", () => {
    const { x, memory, kernel } = boot(1);
    const m = x.mutex_new(constant(x, "KIND_NUMBER"));
    expect(x.mutex_lock(m, Infinity)).toBe(SUCCESS); // the engine instance locks as agent 1
    expect(kernel.try_lock(m)).toBe(WOULD_BLOCK);
    expect(kernel.lock_for(m, 0)).toBe(WOULD_DEADLOCK); // agent 1 already holds it
    const other = instantiate(kernelModule, memory);
    other.agent_attach(x.agent_claim(), 1);
    expect(other.unlock(m)).toBe(NOT_OWNER);
    expect(other.lock_for(m, 1)).toBe(TIMEOUT);
    expect(other.lock_for(m, -1)).toBe(INVALID_ARGUMENT);
    expect(other.lock_for(m, NaN)).toBe(INVALID_ARGUMENT);
    expect(kernel.unlock(m)).toBe(SUCCESS); // the kernel instance of agent 1 releases it
    expect(mutexState(x, memory, m)).toEqual({ state: 0, owner: 0 });
    expect(other.try_lock(m)).toBe(SUCCESS);
    expect(mutexState(x, memory, m).owner).toBe(other.this_agent());
    expect(x.mutex_unlock(m)).toBe(NOT_OWNER); // the engine instance is agent 1, not the holder
    expect(other.unlock(m)).toBe(SUCCESS);
  });

  it("poison set by the engine's panic cleanup is seen by the kernel", () => {
    const { x, kernel } = boot(1);
    const m = x.mutex_new(constant(x, "KIND_NUMBER"));
    expect(x.mutex_lock(m, Infinity)).toBe(SUCCESS);
    expect(x.panic_cleanup()).toBe(1); // agent 1 "panicked": poisoned and released
    expect(kernel.is_poisoned(m)).toBe(1);
    expect(kernel.try_lock(m)).toBe(POISONED); // acquired anyway
    expect(kernel.unlock(m)).toBe(SUCCESS);
  });

  it("a Mutex made by the kernel passes the engine's handle check and is freed by its last release", () => {
    const { x, memory, kernel } = boot(1);
    const blocks = x.heap_blocks_used();
    const m = kernel.new_mutex();
    expect(m).not.toBe(0);
    const gen = u32(memory)[(m + constant(x, "O_GEN")) >>> 2];
    expect(x.obj_check(m, constant(x, "TAG_MUTEX"), gen)).toBe(SUCCESS);
    expect(kernel.check_mutex(m, gen)).toBe(SUCCESS);
    expect(kernel.check_mutex(m, gen + 1)).toBe(INVALID_HANDLE);
    expect(x.mutex_lock(m, Infinity)).toBe(SUCCESS);
    expect(x.mutex_unlock(m)).toBe(SUCCESS);
    expect(x.obj_retain(m)).toBe(SUCCESS);
    expect(kernel.release_mutex(m)).toBe(1);
    expect(kernel.release_mutex(m)).toBe(0);
    expect(x.heap_is_live(m)).toBe(0);
    expect(kernel.check_mutex(m, gen)).toBe(INVALID_HANDLE);
    expect(x.heap_blocks_used()).toBe(blocks);
  });
});

describe("futex words from a kernel", () => {
  it("two kernels ping-pong a word with wait/wake, each waiting for the other's move", async () => {
    const ROUNDS = stress(2000);
    const { module, memory, x } = bootEngine();
    const word = x.heap_alloc(4);
    u32(memory)[word >>> 2] = 0;
    const agents = [x.agent_claim(), x.agent_claim()];
    const run = await runWorkers(WORKER, 2, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: "ping-pong", word, rounds: ROUNDS,
    }));
    expect(run.errors).toEqual([]);
    expect(run.results.map((r) => r[1])).toEqual([ROUNDS, ROUNDS]);
    expect(Atomics.load(new Int32Array(memory.buffer), word >>> 2)).toBe(2 * ROUNDS);
  });

  it("a wait on a word that already differs returns at once; one that stays equal times out", () => {
    const { x, memory, kernel } = boot(1);
    const word = x.heap_alloc(4);
    u32(memory)[word >>> 2] = 5;
    expect(kernel.wait_while(word, 4, Infinity)).toBe(1); // NOT_EQUAL
    expect(kernel.wait_while(word, 5, 1)).toBe(2);        // TIMED_OUT
    expect(kernel.bump_and_wake(word)).toBe(0);           // nobody waiting
    expect(u32(memory)[word >>> 2]).toBe(6);
  });
});
