// Barrier, Semaphore, Once, OnceLock and WaitGroup of weft's AssemblyScript library
// (assembly/lib): kernel functions (tests/fixtures/kernel-sync.ts) in worker threads and the
// engine's own exports on the main thread operate on the same shared objects, made by the engine
// (barrier_new, …) or by the kernel. RwLock and Condvar: tests/aslib-locks.test.ts.
import { describe, it, expect, beforeAll } from "vitest";
import { bootEngine, runWorkers, constant, u32 } from "./fixtures/engine";
import {
  WORKER, loadKernel, bootWithKernel, i32, f64, word, field, genOf, zeroed, claim,
  SUCCESS, WOULD_BLOCK, TIMEOUT, NOT_OWNER, WOULD_DEADLOCK, INVALID_ARGUMENT, ONCE_POISONED,
  KIND_NONE, KIND_NUMBER, KIND_BOOL, KIND_ANY,
} from "./fixtures/kernel-host";
import { stress } from "./helpers";

let kernelModule: WebAssembly.Module;
beforeAll(() => { kernelModule = loadKernel("test-kernel-sync"); }, 120_000);
const boot = () => bootWithKernel(kernelModule);

describe("Barrier from a kernel", () => {
  it("three kernel workers and the engine on the main thread: exactly one leader per generation, nobody leaves early", async () => {
    const THREADS = 3, ROUNDS = stress(2000);
    const { module, memory, x } = bootEngine();
    const b = x.barrier_new(THREADS + 1);
    const arrived = zeroed(x, memory, ROUNDS * 4), leaders = zeroed(x, memory, ROUNDS * 4);
    const agents = claim(x, THREADS);
    let mainBad = 0, mainEarly = 0, mainLed = 0;
    const LEADER = constant(x, "BARRIER_LEADER");
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: "barrier-rounds", barrier: b, rounds: ROUNDS, arrived, leaders,
    }), () => {
      for (let r = 0; r < ROUNDS; r++) {
        Atomics.add(i32(memory), (arrived >>> 2) + r, 1);
        const code = x.barrier_wait(b, Infinity);
        if (code === LEADER) { Atomics.add(i32(memory), (leaders >>> 2) + r, 1); mainLed++; } else if (code !== SUCCESS) mainBad++;
        if (Atomics.load(i32(memory), (arrived >>> 2) + r) !== THREADS + 1) mainEarly++;
      }
    });
    expect(run.errors).toEqual([]);
    expect(run.results.map((r) => [r[1], r[2]])).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect([mainBad, mainEarly]).toEqual([0, 0]);
    const perRound = i32(memory).slice(leaders >>> 2, (leaders >>> 2) + ROUNDS);
    expect(perRound.every((c) => c === 1)).toBe(true);
    expect(run.results.reduce((s, r) => s + r[3], mainLed)).toBe(ROUNDS);
    expect(field(x, memory, b, "B_COUNT")).toBe(0);
    expect(field(x, memory, b, "B_GEN")).toBe(ROUNDS);
  });

  it("a timed-out wait withdraws its arrival; a one-party barrier makes every caller leader; n < 1 is refused", () => {
    const { x, memory, k } = boot();
    const LEADER = constant(x, "BARRIER_LEADER");
    const b = x.barrier_new(2);
    expect(k.barrier_parties(b)).toBe(2);
    expect(k.barrier_wait_for(b, 1)).toBe(TIMEOUT);
    expect(field(x, memory, b, "B_COUNT")).toBe(0); // withdrawn
    expect(k.barrier_wait_for(b, -1)).toBe(INVALID_ARGUMENT);
    expect(k.barrier_wait_for(b, NaN)).toBe(INVALID_ARGUMENT);
    expect(field(x, memory, b, "B_COUNT")).toBe(0);
    expect(k.barrier_new(0)).toBe(0);
    expect(k.barrier_new(-3)).toBe(0);
    const blocks = x.heap_blocks_used();
    const one = k.barrier_new(1);
    expect(x.obj_check(one, constant(x, "TAG_BARRIER"), genOf(x, memory, one))).toBe(SUCCESS);
    expect(k.barrier_check(one, genOf(x, memory, one))).toBe(SUCCESS);
    expect(k.barrier_wait(one)).toBe(LEADER);
    expect(x.barrier_wait(one, Infinity)).toBe(LEADER);
    expect(k.barrier_wait_for(one, 0)).toBe(LEADER);
    expect(field(x, memory, one, "B_GEN")).toBe(3);
    expect(k.barrier_drop(one)).toBe(0);
    expect(x.heap_blocks_used()).toBe(blocks);
  });
});

describe("Semaphore from a kernel", () => {
  it.each([1, 2])("kernels in three workers and the engine share %i permit(s): never more inside, every permit back", async (PERMITS) => {
    const THREADS = 3, N = stress(10000);
    const { module, memory, x } = bootEngine();
    const s = x.semaphore_new(PERMITS);
    const inside = zeroed(x, memory, 4), max = zeroed(x, memory, 4);
    const agents = claim(x, THREADS);
    let mainBad = 0;
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: "sem-section", sem: s, n: N, inside, max,
    }), () => {
      for (let i = 0; i < N; i++) {
        if (x.semaphore_acquire(s, Infinity) !== SUCCESS) mainBad++;
        const I = i32(memory);
        const now = Atomics.add(I, inside >>> 2, 1) + 1;
        for (let seen = Atomics.load(I, max >>> 2); now > seen;) {
          const prev = Atomics.compareExchange(I, max >>> 2, seen, now);
          if (prev === seen) break;
          seen = prev;
        }
        Atomics.sub(I, inside >>> 2, 1);
        if (x.semaphore_release(s, 1) !== SUCCESS) mainBad++;
      }
    });
    expect(run.errors).toEqual([]);
    expect(run.results.map((r) => r[1])).toEqual([0, 0, 0]);
    expect(mainBad).toBe(0);
    expect(word(memory, max)).toBeGreaterThanOrEqual(1);
    expect(word(memory, max)).toBeLessThanOrEqual(PERMITS);
    expect(word(memory, inside)).toBe(0);
    expect(x.semaphore_permits(s)).toBe(PERMITS);
    expect(field(x, memory, s, "S_WAITERS")).toBe(0);
  });

  it("tryAcquire, timed acquire and refused releases give the engine's codes and leave the count unchanged", () => {
    const { x, memory, k } = boot();
    const blocks = x.heap_blocks_used();
    expect(k.sem_new(-1)).toBe(0);
    const s = k.sem_new(2);
    const gen = genOf(x, memory, s);
    expect(x.obj_check(s, constant(x, "TAG_SEMAPHORE"), gen)).toBe(SUCCESS);
    expect(k.sem_check(s, gen)).toBe(SUCCESS);
    expect(x.semaphore_permits(s)).toBe(2);
    expect(k.sem_try_acquire(s)).toBe(SUCCESS);
    expect(x.semaphore_try_acquire(s)).toBe(SUCCESS);
    expect(k.sem_try_acquire(s)).toBe(WOULD_BLOCK);
    expect(k.sem_acquire_for(s, 1)).toBe(TIMEOUT);
    expect(k.sem_acquire_for(s, -1)).toBe(INVALID_ARGUMENT);
    expect(field(x, memory, s, "S_WAITERS")).toBe(0);
    expect(k.sem_release(s, 0)).toBe(INVALID_ARGUMENT);
    expect(k.sem_release(s, 1)).toBe(SUCCESS);
    expect(k.sem_release(s, 0x7FFFFFFF)).toBe(INVALID_ARGUMENT); // would pass SEMAPHORE_MAX
    expect(k.sem_permits(s)).toBe(1);
    expect(x.semaphore_release(s, 2)).toBe(SUCCESS); // a permit the kernel took, given back by the engine
    expect(k.sem_permits(s)).toBe(3);
    expect(k.sem_acquire(s)).toBe(SUCCESS);
    expect(k.sem_drop(s)).toBe(0);
    expect(x.heap_blocks_used()).toBe(blocks);
  });

  it("a kernel on a thread that may not block spins for a permit and takes the one the main thread releases", async () => {
    const { module, memory, x } = bootEngine();
    const s = x.semaphore_new(0);
    const [agent] = claim(x, 1);
    const waitersIdx = (s + constant(x, "S_WAITERS")) >>> 2;
    let sawWaiter = false;
    const run = await runWorkers(WORKER, 1, () => ({
      engineModule: module, kernelModule, memory, agent, canBlock: 0, mode: "sem-acquire", sem: s,
    }), () => {
      // The kernel announces itself in WAITERS once past its spinning, right before its futex
      // wait (a spin here); a bound in case it never does, so a failure cannot hang the file.
      const giveUp = performance.now() + 10_000;
      while (!(sawWaiter = Atomics.load(i32(memory), waitersIdx) > 0) && performance.now() < giveUp);
      x.semaphore_release(s, 1);
    });
    expect(run.errors).toEqual([]);
    expect(sawWaiter).toBe(true);
    expect([run.results[0][1], run.results[0][2]]).toEqual([0, SUCCESS]); // canBlock() false, acquired
    expect(x.semaphore_permits(s)).toBe(0);
    expect(Atomics.load(i32(memory), waitersIdx)).toBe(0);
  });
});

describe("Once and OnceLock from a kernel", () => {
  it("three kernel workers and the engine race through the same Onces: each initialiser runs once and every caller sees it", async () => {
    const THREADS = 3, COUNT = stress(600);
    const { module, memory, x } = bootEngine();
    const onces = zeroed(x, memory, COUNT * 4), counters = zeroed(x, memory, COUNT * 4);
    for (let i = 0; i < COUNT; i++) u32(memory)[(onces >>> 2) + i] = x.once_new();
    const agents = claim(x, THREADS);
    const RUN = constant(x, "ONCE_RUN"), COMPLETE = constant(x, "ONCE_COMPLETE");
    let mainBad = 0, mainWrong = 0;
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: "once-rounds", onces, counters, count: COUNT,
    }), () => {
      for (let i = 0; i < COUNT; i++) {
        const o = u32(memory)[(onces >>> 2) + i];
        const code = x.once_begin(o, 0, 1, Infinity);
        if (code === RUN) {
          const I = i32(memory);
          I[(counters >>> 2) + i] += 1;
          if (x.once_finish(o, COMPLETE) !== SUCCESS) mainBad++;
        } else if (code !== SUCCESS) mainBad++;
        if (Atomics.load(i32(memory), (counters >>> 2) + i) !== 1) mainWrong++;
      }
    });
    expect(run.errors).toEqual([]);
    expect(run.results.map((r) => [r[1], r[2]])).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect([mainBad, mainWrong]).toEqual([0, 0]);
    const counts = i32(memory).slice(counters >>> 2, (counters >>> 2) + COUNT);
    expect(counts.every((c) => c === 1)).toBe(true);
    for (let i = 0; i < COUNT; i++) expect(x.once_state(u32(memory)[(onces >>> 2) + i])).toBe(COMPLETE);
  });

  it("poisoning, force, deadlock and ownership give the engine's codes", () => {
    const { x, memory, k, other } = boot();
    const RUN = constant(x, "ONCE_RUN"), RUN_POISONED = constant(x, "ONCE_RUN_POISONED");
    const COMPLETE = constant(x, "ONCE_COMPLETE"), POISONED_STATE = constant(x, "ONCE_POISONED_STATE");
    const o = x.once_new();
    const counter = zeroed(x, memory, 4);
    expect(k.once_begin(o)).toBe(RUN);
    expect(k.once_wait(o)).toBe(WOULD_DEADLOCK);           // this thread is running it
    expect(x.once_begin(o, 0, 1, 0)).toBe(WOULD_DEADLOCK); // also through the engine (agent 1)
    const o2 = other();
    expect(o2.once_begin_for(o, 1)).toBe(TIMEOUT);
    expect(o2.once_wait_for(o, 1)).toBe(TIMEOUT);
    expect(o2.once_begin_for(o, -1)).toBe(INVALID_ARGUMENT);
    expect(o2.once_finish(o, 1)).toBe(NOT_OWNER);
    expect(k.once_finish(o, 0)).toBe(SUCCESS);              // failed: poisoned
    expect(x.once_state(o)).toBe(POISONED_STATE);
    expect(k.once_finish(o, 1)).toBe(NOT_OWNER);            // no run in progress any more
    expect(k.once_begin(o)).toBe(ONCE_POISONED);
    expect(o2.once_wait(o)).toBe(ONCE_POISONED);
    expect(k.once_call(o, counter)).toBe(ONCE_POISONED);
    expect(k.once_is_completed(o)).toBe(0);
    expect(o2.once_begin_force(o)).toBe(RUN_POISONED);
    expect(o2.once_finish(o, 1)).toBe(SUCCESS);
    expect(x.once_state(o)).toBe(COMPLETE);
    expect(k.once_is_completed(o)).toBe(1);
    expect(k.once_call(o, counter)).toBe(SUCCESS);         // complete: the initialiser does not run
    expect(word(memory, counter)).toBe(0);
    expect(k.once_wait_for(o, 0)).toBe(SUCCESS);
    // call() runs the initialiser once; a failing one poisons.
    const fresh = x.once_new();
    expect(k.once_call(fresh, counter)).toBe(SUCCESS);
    expect(o2.once_call(fresh, counter)).toBe(SUCCESS);
    expect(word(memory, counter)).toBe(1);
    const failing = x.once_new();
    expect(k.once_call_failing(failing)).toBe(ONCE_POISONED);
    expect(x.once_state(failing)).toBe(POISONED_STATE);
    // A Once made by the kernel is the engine's object.
    const blocks = x.heap_blocks_used();
    const mine = k.once_new();
    expect(x.obj_check(mine, constant(x, "TAG_ONCE"), genOf(x, memory, mine))).toBe(SUCCESS);
    expect(k.once_check(mine, genOf(x, memory, mine))).toBe(SUCCESS);
    expect(x.once_begin(mine, 0, 1, Infinity)).toBe(RUN);
    expect(x.once_finish(mine, COMPLETE)).toBe(SUCCESS);
    expect(k.once_is_completed(mine)).toBe(1);
    expect(k.once_drop(mine)).toBe(0);
    expect(x.heap_blocks_used()).toBe(blocks);
  });

  it("kernels and the engine race to set a OnceLock: exactly one sets it, everyone reads its value", async () => {
    const THREADS = 3;
    const { module, memory, x } = bootEngine();
    const cell = x.once_lock_new();
    const valueIdx = (cell + constant(x, "ON_VALUE")) >>> 3;
    const RUN = constant(x, "ONCE_RUN"), COMPLETE = constant(x, "ONCE_COMPLETE");
    const agents = claim(x, THREADS);
    let mainSet = 0, mainRead = 0;
    const run = await runWorkers(WORKER, THREADS, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: "oncelock-set", cell, value: 10 + i,
    }), () => {
      if (x.once_begin(cell, 0, 1, Infinity) === RUN) {
        f64(memory)[valueIdx] = 99;
        u32(memory)[(cell + constant(x, "O_AUX")) >>> 2] = KIND_NUMBER;
        if (x.once_finish(cell, COMPLETE) === SUCCESS) mainSet = 1;
      }
      mainRead = f64(memory)[valueIdx];
    });
    expect(run.errors).toEqual([]);
    expect(run.results.reduce((s, r) => s + r[1], mainSet)).toBe(1);
    const value = f64(memory)[valueIdx];
    expect([10, 11, 12, 99]).toContain(value);
    expect(run.results.map((r) => [r[3], r[4]])).toEqual(agents.map(() => [1, value])); // isSet, kind, value
    expect(mainRead).toBe(value);
    expect(field(x, memory, cell, "O_AUX")).toBe(KIND_NUMBER);
    expect(x.once_state(cell)).toBe(COMPLETE);
  });

  it("OnceLock: a failed initialiser leaves it empty, only the runner finishes, non-plain kinds are refused", () => {
    const { x, memory, k, other } = boot();
    const RUN = constant(x, "ONCE_RUN"), RUNNING = constant(x, "ONCE_RUNNING"), INCOMPLETE = constant(x, "ONCE_INCOMPLETE");
    const c = x.once_lock_new();
    const o = other();
    expect(k.oncelock_begin(c)).toBe(RUN);
    expect(o.oncelock_finish(c, KIND_NUMBER)).toBe(NOT_OWNER);
    expect(k.oncelock_finish(c, KIND_ANY)).toBe(INVALID_ARGUMENT);
    expect(x.once_state(c)).toBe(RUNNING);                  // still this thread's run
    expect(o.oncelock_begin_for(c, 1)).toBe(TIMEOUT);
    expect(o.oncelock_wait_for(c, -1)).toBe(INVALID_ARGUMENT);
    expect(k.oncelock_finish(c, KIND_NONE)).toBe(SUCCESS);  // failed: the cell stays empty
    expect(x.once_state(c)).toBe(INCOMPLETE);
    expect(k.oncelock_is_set(c)).toBe(0);
    expect(o.oncelock_begin(c)).toBe(RUN);                   // another caller may try
    i32(memory)[o.oncelock_value_ptr(c) >>> 2] = 1;
    expect(o.oncelock_finish(c, KIND_BOOL)).toBe(SUCCESS);
    expect([k.oncelock_is_set(c), k.oncelock_kind(c)]).toEqual([1, KIND_BOOL]);
    expect(k.oncelock_begin(c)).toBe(SUCCESS);               // set: nothing to do
    expect(k.oncelock_wait_for(c, 0)).toBe(SUCCESS);
    expect(k.oncelock_finish(c, KIND_BOOL)).toBe(NOT_OWNER);
    expect(field(x, memory, c, "O_AUX")).toBe(KIND_BOOL);
    const mine = k.oncelock_new();
    expect(x.obj_check(mine, constant(x, "TAG_ONCE_LOCK"), genOf(x, memory, mine))).toBe(SUCCESS);
    expect(k.oncelock_check(mine, genOf(x, memory, mine))).toBe(SUCCESS);
    expect([k.oncelock_is_set(mine), k.oncelock_kind(mine)]).toEqual([0, KIND_NONE]);
  });
});

describe("WaitGroup from a kernel", () => {
  it("a kernel waiter returns once kernel members and the main thread have left, and sees all their work", async () => {
    const N = stress(20000);
    const { module, memory, x } = bootEngine();
    const wg = x.waitgroup_new(); // the main thread is its first member
    expect(x.waitgroup_join(wg)).toBe(2);
    expect(x.waitgroup_join(wg)).toBe(3); // one member for each working kernel
    const counter = zeroed(x, memory, 4);
    const agents = claim(x, 3);
    const modes = ["wg-wait", "wg-work", "wg-work"];
    let mainLeave = -1;
    const run = await runWorkers(WORKER, 3, (i) => ({
      engineModule: module, kernelModule, memory, agent: agents[i], mode: modes[i], wg, counter, n: N + i,
    }), () => {
      for (let i = 0; i < N; i++) Atomics.add(i32(memory), counter >>> 2, 1);
      mainLeave = x.waitgroup_leave(wg);
    });
    expect(run.errors).toEqual([]);
    const total = N + (N + 1) + (N + 2);
    expect(run.results.map((r) => r[1])).toEqual([total, SUCCESS, SUCCESS]);
    expect(mainLeave).toBe(SUCCESS);
    expect(x.waitgroup_count(wg)).toBe(0);
  });

  it("join, leave and wait give the engine's codes; a WaitGroup made by the kernel is the engine's object", () => {
    const { x, memory, k } = boot();
    const blocks = x.heap_blocks_used();
    const w = k.wg_new();
    const gen = genOf(x, memory, w);
    expect(x.obj_check(w, constant(x, "TAG_WAITGROUP"), gen)).toBe(SUCCESS);
    expect(k.wg_check(w, gen)).toBe(SUCCESS);
    expect(k.wg_count(w)).toBe(1);
    expect(k.wg_join(w)).toBe(2);
    expect(x.waitgroup_count(w)).toBe(2);
    expect(k.wg_wait_for(w, 1)).toBe(TIMEOUT);
    expect(k.wg_wait_for(w, NaN)).toBe(INVALID_ARGUMENT);
    expect(k.wg_leave(w)).toBe(SUCCESS);
    expect(x.waitgroup_leave(w)).toBe(SUCCESS);
    expect(k.wg_leave(w)).toBe(INVALID_ARGUMENT); // no member left: COUNT stays 0
    expect(k.wg_count(w)).toBe(0);
    expect(k.wg_wait(w)).toBe(SUCCESS);
    expect(x.waitgroup_wait(w, 0)).toBe(SUCCESS);
    expect(k.wg_drop(w)).toBe(0);
    expect(x.heap_blocks_used()).toBe(blocks);
  });
});
