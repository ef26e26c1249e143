// RwLock and Condvar of weft's AssemblyScript library (assembly/lib): kernel functions
// (tests/fixtures/kernel-sync.ts) in worker threads and the engine's own exports on the main
// thread operate on the same shared objects, made by the engine (rwlock_new, …) or by the kernel.
// Barrier, Semaphore, Once, OnceLock and WaitGroup: tests/aslib-sync.test.ts.
import { describe, it, expect, beforeAll } from "vitest";
import { bootEngine, runWorkers, constant } from "./fixtures/engine";
import {
  WORKER, loadKernel, bootWithKernel, i32, f64, word, field, genOf, zeroed, claim,
  SUCCESS, WOULD_BLOCK, TIMEOUT, POISONED, NOT_OWNER, INVALID_HANDLE, WOULD_DEADLOCK, NOT_LOCKED,
  INVALID_ARGUMENT, KIND_NUMBER, KIND_BIGINT, KIND_ANY,
} from "./fixtures/kernel-host";
import { stress } from "./helpers";

const RW_MASK = (1 << 30) - 1; // STATE bits holding the reader count or WRITE_LOCKED (sync/rwlock.ts)

let kernelModule: WebAssembly.Module;
beforeAll(() => { kernelModule = loadKernel("test-kernel-locks"); }, 120_000);
const boot = () => bootWithKernel(kernelModule);

describe("RwLock from a kernel", () => {
  it("kernel writers and readers in three workers and the engine on the main thread: every write counted, no torn read", async () => {
    const THREADS = 3, N = stress(20000), WRITE_EVERY = 4;
    const { module, memory, x } = bootEngine();
    const l = x.rwlock_new(KIND_NUMBER);
    const pair = zeroed(x, memory, 8);
    const valueIdx = (l + constant(x, "RW_VALUE")) >>> 3;
    const agents = claim(x, THREADS);
    let mainBad = 0, mainTorn = 0, mainWrites = 0;
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: "rw-mixed", lock: l, pair, n: N, writeEvery: WRITE_EVERY,
    }), () => {
      // The same mix through the engine's exports, with plain JS loads and stores under the lock.
      for (let i = 0; i < N; i++) {
        const I = i32(memory), F = f64(memory);
        if (i % WRITE_EVERY === 0) {
          if (x.rwlock_write(l, Infinity) !== SUCCESS) mainBad++;
          const v = F[valueIdx] + 1;
          I[pair >>> 2] = v; F[valueIdx] = v; I[(pair >>> 2) + 1] = v;
          mainWrites++;
          if (x.rwlock_write_unlock(l) !== SUCCESS) mainBad++;
        } else {
          if (x.rwlock_read(l, Infinity) !== SUCCESS) mainBad++;
          if (I[pair >>> 2] !== F[valueIdx] || I[(pair >>> 2) + 1] !== F[valueIdx]) mainTorn++;
          if (x.rwlock_read_unlock(l) !== SUCCESS) mainBad++;
        }
      }
    });
    expect(run.errors).toEqual([]);
    const writesEach = Math.ceil(N / WRITE_EVERY);
    expect(run.results.map((r) => r[0])).toEqual(agents);
    expect(run.results.map((r) => [r[1], r[2], r[3]])).toEqual(agents.map(() => [0, 0, writesEach]));
    expect([mainBad, mainTorn, mainWrites]).toEqual([0, 0, writesEach]);
    expect(f64(memory)[valueIdx]).toBe((THREADS + 1) * writesEach);
    expect(field(x, memory, l, "RW_STATE") & RW_MASK).toBe(0);
    expect(field(x, memory, l, "RW_OWNER")).toBe(0);
  });

  it("the engine's write lock excludes kernel readers and writers; ownership is per agent across modules", () => {
    const { x, k, other } = boot();
    const o = other();
    const l = x.rwlock_new(KIND_NUMBER);
    expect(x.rwlock_write(l, Infinity)).toBe(SUCCESS); // the engine instance of agent 1
    expect(k.rw_try_read(l)).toBe(WOULD_BLOCK);
    expect(k.rw_try_write(l)).toBe(WOULD_BLOCK);
    expect(k.rw_read_for(l, 0)).toBe(WOULD_DEADLOCK); // agent 1 holds the write lock
    expect(k.rw_write_for(l, 0)).toBe(WOULD_DEADLOCK);
    expect(o.rw_read_for(l, 1)).toBe(TIMEOUT);
    expect(o.rw_write_for(l, 1)).toBe(TIMEOUT);
    expect(o.rw_read_for(l, -1)).toBe(INVALID_ARGUMENT);
    expect(o.rw_write_for(l, NaN)).toBe(INVALID_ARGUMENT);
    expect(o.rw_write_unlock(l)).toBe(NOT_OWNER);
    expect(o.rw_read_unlock(l)).toBe(NOT_OWNER); // a writer holds it
    expect(k.rw_write_unlock(l)).toBe(SUCCESS); // the kernel instance of agent 1 releases it
    // Two readers from two modules and agents; a writer is shut out until both leave.
    expect(o.rw_read(l)).toBe(SUCCESS);
    expect(x.rwlock_read(l, Infinity)).toBe(SUCCESS);
    expect(x.rwlock_try_write(l)).toBe(WOULD_BLOCK);
    expect(o.rw_write_for(l, 1)).toBe(TIMEOUT);
    expect(o.rw_read_unlock(l)).toBe(SUCCESS);
    expect(k.rw_read_unlock(l)).toBe(SUCCESS); // read locks are anonymous: any reader may end one
    expect(o.rw_read_unlock(l)).toBe(NOT_LOCKED);
    expect(o.rw_write(l)).toBe(SUCCESS);
    expect(x.rwlock_write_unlock(l)).toBe(NOT_OWNER);
    expect(o.rw_write_unlock(l)).toBe(SUCCESS);
  });

  it("poison crosses modules both ways: the engine's cleanup poisons a kernel's write lock, the kernel sees the engine's", () => {
    const { x, memory, k } = boot();
    const l = x.rwlock_new(KIND_NUMBER);
    expect(x.rwlock_write(l, Infinity)).toBe(SUCCESS);
    expect(x.panic_cleanup()).toBe(1); // agent 1 "panicked": poisoned and released
    expect(k.rw_is_poisoned(l)).toBe(1);
    expect(k.rw_try_read(l)).toBe(POISONED); // held anyway
    expect(k.rw_read_unlock(l)).toBe(SUCCESS);
    k.rw_clear_poison(l);
    expect(field(x, memory, l, "RW_POISON")).toBe(0);
    // The kernel's write lock joins agent 1's held list (in the shared agent record), so the
    // engine's cleanup of agent 1 finds it.
    expect(k.rw_write(l)).toBe(SUCCESS);
    expect(x.panic_cleanup()).toBe(1);
    expect(k.rw_is_poisoned(l)).toBe(1);
    expect(field(x, memory, l, "RW_STATE") & RW_MASK).toBe(0);
    expect(x.rwlock_write(l, Infinity)).toBe(POISONED);
    expect(x.rwlock_write_unlock(l)).toBe(SUCCESS);
  });

  it("a RwLock made by the kernel is the engine's object: handle check, kind, locking, freed by its last drop", () => {
    const { x, memory, k } = boot();
    const blocks = x.heap_blocks_used();
    expect(k.rw_new(KIND_ANY)).toBe(0); // structured values need JS: refused
    const l = k.rw_new(KIND_NUMBER);
    expect(l).not.toBe(0);
    const gen = genOf(x, memory, l);
    expect(x.obj_check(l, constant(x, "TAG_RWLOCK"), gen)).toBe(SUCCESS);
    expect(k.rw_check(l, gen)).toBe(SUCCESS);
    expect(k.rw_check(l, gen + 1)).toBe(INVALID_HANDLE);
    expect(k.rw_kind(l)).toBe(KIND_NUMBER);
    expect(k.rw_add(l, 2.5)).toBe(SUCCESS);
    expect(x.rwlock_write(l, Infinity)).toBe(SUCCESS);
    expect(f64(memory)[(l + constant(x, "RW_VALUE")) >>> 3]).toBe(2.5);
    expect(x.rwlock_write_unlock(l)).toBe(SUCCESS);
    const big = k.rw_new(KIND_BIGINT);
    expect(k.rw_kind(big)).toBe(KIND_BIGINT);
    expect(k.object_drop(big)).toBe(0);
    expect(x.obj_retain(l)).toBe(SUCCESS);
    expect(k.object_drop(l)).toBe(1);
    expect(k.object_drop(l)).toBe(0);
    expect(x.heap_is_live(l)).toBe(0);
    expect(k.rw_check(l, gen)).toBe(INVALID_HANDLE);
    expect(x.heap_blocks_used()).toBe(blocks);
  });
});

describe("Condvar from a kernel", () => {
  it("kernel producers, a kernel consumer and an engine consumer on the main thread pass every item exactly once", async () => {
    const N = stress(5000);
    const { module, memory, x } = bootEngine();
    const m = x.mutex_new(KIND_NUMBER);
    const notEmpty = x.condvar_new(), notFull = x.condvar_new();
    const queue = zeroed(x, memory, 32); // COUNT, HEAD, TAIL, pad, then 4 items (kernel-sync.ts)
    const seen = zeroed(x, memory, 2 * N * 4);
    const agents = claim(x, 3);
    const roles = [
      { mode: "cv-produce", first: 0, n: N }, { mode: "cv-produce", first: N, n: N }, { mode: "cv-consume", n: N, split: N },
    ];
    // Each producer's items must reach each consumer in increasing order (one FIFO queue).
    let mainBad = 0, mainDisorder = 0, lastLow = -1, lastHigh = -1;
    const run = await runWorkers(WORKER, 3, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], ...roles[i], mutex: m, notEmpty, notFull, queue, seen,
    }), () => {
      // The main thread consumes N items through the engine's exports (same queue layout).
      const q = queue >>> 2;
      for (let i = 0; i < N; i++) {
        if (x.mutex_lock(m, Infinity) !== SUCCESS) mainBad++;
        while (i32(memory)[q] === 0) {
          if (x.condvar_wait(notEmpty, m, Infinity) !== SUCCESS) mainBad++;
        }
        const I = i32(memory);
        const head = I[q + 1], item = I[q + 4 + head];
        I[q + 1] = (head + 1) % 4;
        I[q] -= 1;
        x.condvar_notify_all(notFull);
        if (x.mutex_unlock(m) !== SUCCESS) mainBad++;
        Atomics.add(I, (seen >>> 2) + item, 1);
        if (item < N) { if (item <= lastLow) mainDisorder++; lastLow = item; } else { if (item <= lastHigh) mainDisorder++; lastHigh = item; }
      }
    });
    expect(run.errors).toEqual([]);
    expect(run.results.map((r) => r[1])).toEqual([0, 0, 0]); // no unexpected codes anywhere
    expect([mainBad, run.results[2][2], mainDisorder]).toEqual([0, 0, 0]);
    const counts = i32(memory).slice(seen >>> 2, (seen >>> 2) + 2 * N);
    expect(counts.every((c) => c === 1)).toBe(true); // each item received once, none lost
    expect(word(memory, queue)).toBe(0);
    expect(field(x, memory, m, "M_STATE")).toBe(0);
  });

  it("a timed wait with no notifier times out holding the mutex again; a wait without the mutex changes nothing", () => {
    const { x, memory, k, other } = boot();
    const m = x.mutex_new(KIND_NUMBER), cv = x.condvar_new();
    expect(x.mutex_lock(m, Infinity)).toBe(SUCCESS); // the engine instance of agent 1
    const seq = field(x, memory, cv, "CV_SEQ");
    expect(k.cv_wait_for(cv, m, 1)).toBe(TIMEOUT);   // the kernel of agent 1 waits under it
    expect(field(x, memory, m, "M_OWNER")).toBe(1);   // relocked by agent 1
    expect(k.cv_wait_for(cv, m, -1)).toBe(INVALID_ARGUMENT);
    expect(k.cv_wait_for(cv, m, NaN)).toBe(INVALID_ARGUMENT);
    expect(field(x, memory, m, "M_OWNER")).toBe(1);
    const o = other();
    expect(o.cv_wait(cv, m)).toBe(NOT_OWNER);         // agent 1's mutex: refused, still held
    expect(field(x, memory, m, "M_OWNER")).toBe(1);
    expect(x.mutex_unlock(m)).toBe(SUCCESS);
    expect(k.cv_wait(cv, m)).toBe(NOT_LOCKED);
    expect(k.cv_notify_one(cv)).toBe(0);               // nobody asleep
    expect(k.cv_notify_all(cv)).toBe(0);
    expect(field(x, memory, cv, "CV_SEQ")).toBe(seq + 2); // each notify bumps the sequence
    // Poison wins over the timeout, and the mutex is held again.
    expect(x.mutex_lock(m, Infinity)).toBe(SUCCESS);
    expect(x.panic_cleanup()).toBe(1);
    expect(k.try_lock(m)).toBe(POISONED);
    expect(k.cv_wait_for(cv, m, 1)).toBe(POISONED);
    expect(field(x, memory, m, "M_OWNER")).toBe(1);
    expect(k.unlock(m)).toBe(SUCCESS);
  });

  it("a Condvar made by the kernel passes the engine's handle check; retain and drop count references", () => {
    const { x, memory, k } = boot();
    const blocks = x.heap_blocks_used();
    const cv = k.cv_new();
    const gen = genOf(x, memory, cv);
    expect(x.obj_check(cv, constant(x, "TAG_CONDVAR"), gen)).toBe(SUCCESS);
    expect(k.cv_check(cv, gen)).toBe(SUCCESS);
    expect(x.condvar_notify_one(cv)).toBe(0);
    expect(k.cv_retain(cv)).toBe(SUCCESS);
    expect(field(x, memory, cv, "O_REFS")).toBe(2);
    expect(k.cv_drop(cv)).toBe(1);
    expect(k.cv_drop(cv)).toBe(0);
    expect(k.cv_check(cv, gen)).toBe(INVALID_HANDLE);
    expect(k.cv_retain(cv)).toBe(INVALID_HANDLE); // references never rise from 0
    expect(x.heap_blocks_used()).toBe(blocks);
  });
});
