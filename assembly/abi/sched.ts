// ABI exports of the scheduler's data structures (assembly/sched/): deque, injector, latch,
// sleep registry. The pool (issue 4) drives them from the worker loop; tests reach them through
// the internal `weft.__bench.exports()` hook. Job references cross as two u32 words (job.ts);
// a successful pop / steal leaves the job in this thread's `sched_taken_hi/lo`.
// Deadlines are given as timeouts in ms (Infinity: none); negative / NaN are the host's to refuse.
import { jobHi, jobLo, jobRef, taken } from "../sched/job";
import {
  dequeNew, dequeFree, dequePush, dequePop, dequeSteal, dequeLen, dequeCapacity,
} from "../sched/deque";
import {
  injectorNew, injectorFree, injectorPush, injectorSteal, injectorLen, injectorIsEmpty,
} from "../sched/injector";
import {
  latchNew, latchFree, latchSet, latchProbe, latchWait, latchIncrement,
} from "../sched/latch";
import {
  sleepNew, sleepFree, sleepStartLooking, sleepWorkFound, sleepNoWorkFound, sleepNewJobs,
  sleepWakeWorker, sleepWakeAny, sleepSleeping, sleepIdle, sleepJec, SLEEP_MAX_WORKERS,
} from "../sched/sleep";
import { deadlineAfter } from "../sync/futex";
import { load32, store32, add32 } from "../sync/atomic";
import { JOB_JS } from "../sched/job";
import { SUCCESS, EMPTY } from "../layout";
import { LA_STATE } from "../sched/latch";

export { JOB_JS, JOB_MODULE_SHIFT } from "../sched/job";
export { DEQUE_MIN_CAP, DEQUE_MAX_CAP } from "../sched/deque";
export {
  LATCH_UNSET, LATCH_SLEEPY, LATCH_SLEEPING, LATCH_SET,
} from "../sched/latch";
export {
  IDLE_SPUN, IDLE_WOKEN, IDLE_INTERRUPTED_BY_JOB, IDLE_INTERRUPTED_BY_LATCH, IDLE_TIMED_OUT,
  ROUNDS_UNTIL_SLEEPY, ROUNDS_UNTIL_SLEEPING,
} from "../sched/sleep";

/** The job the last successful pop / steal on this thread took (high and low words). */
export function sched_taken_hi(): u32 { return jobHi(taken()); }
export function sched_taken_lo(): u32 { return jobLo(taken()); }

// ---- deque ----------------------------------------------------------------------------------
export function sched_deque_new(cap: u32): usize { return dequeNew(cap); }
export function sched_deque_free(d: usize): void { dequeFree(d); }
export function sched_deque_push(d: usize, hi: u32, lo: u32): i32 { return dequePush(d, jobRef(hi, lo)); }
export function sched_deque_pop(d: usize): i32 { return dequePop(d); }
export function sched_deque_steal(d: usize): i32 { return dequeSteal(d); }
export function sched_deque_len(d: usize): i32 { return dequeLen(d); }
export function sched_deque_capacity(d: usize): u32 { return dequeCapacity(d); }

// ---- injector -------------------------------------------------------------------------------
export function sched_injector_new(): usize { return injectorNew(); }
export function sched_injector_free(q: usize): void { injectorFree(q); }
export function sched_injector_push(q: usize, hi: u32, lo: u32): i32 { return injectorPush(q, jobRef(hi, lo)); }
export function sched_injector_steal(q: usize): i32 { return injectorSteal(q); }
export function sched_injector_len(q: usize): i32 { return injectorLen(q); }
export function sched_injector_is_empty(q: usize): i32 { return injectorIsEmpty(q) ? 1 : 0; }

// ---- latch ----------------------------------------------------------------------------------
/** registry 0: a LockLatch (waited with sched_latch_wait); count > 0: a CountLatch. */
export function sched_latch_new(registry: usize, target: u32, count: u32): usize {
  return latchNew(registry, target, count);
}
export function sched_latch_free(l: usize): void { latchFree(l); }
export function sched_latch_set(l: usize): i32 { return latchSet(l) ? 1 : 0; }
export function sched_latch_probe(l: usize): i32 { return latchProbe(l) ? 1 : 0; }
/** The core state (LATCH_UNSET / SLEEPY / SLEEPING / SET): a snapshot, for tests. */
export function sched_latch_state(l: usize): i32 { return load32(l + LA_STATE); }
export function sched_latch_increment(l: usize): void { latchIncrement(l); }
export function sched_latch_wait(l: usize, timeoutMs: f64): i32 { return latchWait(l, deadlineAfter(timeoutMs)); }

// ---- sleep registry -------------------------------------------------------------------------
/** 0 if `n` is 0 or above SLEEP_MAX_WORKERS, or out of memory. */
export function sched_sleep_new(n: u32, injector: usize): usize {
  return n == 0 || n > SLEEP_MAX_WORKERS ? 0 : sleepNew(n, injector);
}
export function sched_sleep_free(reg: usize): void { sleepFree(reg); }
export function sched_sleep_start_looking(reg: usize, w: u32): void { sleepStartLooking(reg, w); }
export function sched_sleep_work_found(reg: usize, w: u32): void { sleepWorkFound(reg, w); }
export function sched_sleep_no_work_found(reg: usize, w: u32, latch: usize, timeoutMs: f64): i32 {
  return sleepNoWorkFound(reg, w, latch, deadlineAfter(timeoutMs));
}
export function sched_sleep_new_jobs(reg: usize, n: u32, queueWasEmpty: i32): void {
  sleepNewJobs(reg, n, queueWasEmpty != 0);
}
export function sched_sleep_wake(reg: usize, w: u32): i32 { return sleepWakeWorker(reg, w) ? 1 : 0; }
export function sched_sleep_wake_any(reg: usize, n: u32): void { sleepWakeAny(reg, n); }
export function sched_sleep_sleeping(reg: usize): u32 { return sleepSleeping(reg); }
export function sched_sleep_idle(reg: usize): u32 { return sleepIdle(reg); }
export function sched_sleep_jec(reg: usize): u32 { return sleepJec(reg); }

// ---- in-wasm stress loops (internal, for tests) ---------------------------------------------
// The same owner / thief loops as the JS stress tests, without a JS call between operations:
// the races (the last job, growth under thieves) come hundreds of times more often per second.
// `counts` is an i32 per job id (a SharedArray's data); every take adds 1 to counts[id].

/**
 * Owner: pushes JS jobs 1..n; after push `id` pops one when `(id % 5) in {0, 3}` (mode 0) or
 * always (mode 1: every pop races the thieves for the last job). Then pops until EMPTY and
 * stores 1 into `*done`. Returns the jobs it took, or -1 if a push failed.
 */
export function sched_test_deque_owner(d: usize, n: u32, mode: i32, counts: usize, done: usize): i32 {
  let took = 0;
  for (let id: u32 = 1; id <= n; id++) {
    if (dequePush(d, jobRef(JOB_JS, id)) != SUCCESS) return -1;
    if (mode == 1 || id % 5 == 0 || id % 5 == 3) {
      if (dequePop(d) == SUCCESS) { add32(counts + (<usize>jobLo(taken()) << 2), 1); took++; }
    }
  }
  while (dequePop(d) == SUCCESS) { add32(counts + (<usize>jobLo(taken()) << 2), 1); took++; }
  store32(done, 1); // the owner saw EMPTY: every job left was claimed by a thief
  return took;
}

/** Thief: steals until EMPTY once `*done` is 1. Returns the jobs it took. */
export function sched_test_deque_thief(d: usize, counts: usize, done: usize): i32 {
  let took = 0;
  for (;;) {
    const r = dequeSteal(d);
    if (r == SUCCESS) { add32(counts + (<usize>jobLo(taken()) << 2), 1); took++; }
    else if (r == EMPTY && load32(done) == 1) break;
  }
  return took;
}

// ---- the pool (registry.ts, worker.ts, kernels.ts) -------------------------------------------
import {
  registryNew, registryFree, registryInject, registryInjectTo, registryTerminate, registryInside,
} from "../sched/registry";
import {
  schedEnter, schedLeave, schedRun, schedWait, schedMarkTop, schedMarkRunning, schedAbandon,
  schedAbandonStep, schedCurrentRegistry,
} from "../sched/worker";
import { fibJoin, fibSeq, trapFibJoin, trapAfterFib } from "../sched/kernels";
import { latchInit } from "../sched/latch";
import { regDeque, regSleep } from "../sched/registry";
import { jobJs } from "../sched/job";
export { SJ_SIZE } from "../sched/worker";
export { RG_MAX_WORKERS } from "../sched/registry";
export { LATCH_SIZE } from "../sched/latch";

/** A pool registry for `n` workers; 0 if `n` is out of range or out of memory. */
export function sched_registry_new(n: u32): usize { return registryNew(n); }
export function sched_registry_free(reg: usize): void { registryFree(reg); }
/** Queues the JS job `rec` for any worker: SUCCESS / OUT_OF_MEMORY / FULL. */
export function sched_inject_js(reg: usize, rec: usize): i32 { return registryInject(reg, jobJs(0, <u32>rec)); }
/** Queues the JS job `rec` for worker `w` only (broadcast). */
export function sched_inject_js_to(reg: usize, w: u32, rec: usize): i32 {
  return registryInjectTo(reg, w, jobJs(0, <u32>rec));
}
export function sched_terminate(reg: usize): void { registryTerminate(reg); }
export function sched_inside(reg: usize): i32 { return registryInside(reg); }
/** Initialises a latch in caller memory (a JS job record): see latch.ts latchInit. */
export function sched_latch_init(l: usize, registry: usize, target: u32, count: u32): void {
  latchInit(l, registry, target, count);
}

/** Worker side: enter / leave the loop context of worker `w` (once per worker task). */
export function sched_enter(reg: usize, w: u32): void { schedEnter(reg, w); }
export function sched_leave(reg: usize): void { schedLeave(reg); }
/** The next JS job record for worker `w`, or 0 when the pool terminates. Runs wasm jobs meanwhile. */
export function sched_run(reg: usize, w: u32): usize { return schedRun(reg, w); }
/** While a JS join waits for `latch`: a JS job record to run, or 0 once the latch is set. */
export function sched_wait(reg: usize, w: u32, latch: usize): usize { return schedWait(reg, w, latch); }
/** Worker `w` pushes the JS job `rec` on its own deque (a JS join's b): SUCCESS or OUT_OF_MEMORY / FULL. */
export function sched_push_js(reg: usize, w: u32, rec: usize): i32 {
  const d = regDeque(reg, w);
  const wasEmpty = dequeLen(d) == 0;
  const r = dequePush(d, jobJs(0, <u32>rec));
  if (r == SUCCESS) sleepNewJobs(regSleep(reg), 1, wasEmpty);
  return r;
}
/** Worker `w` pops its own deque: 1 if it took the JS job `rec` back, 0 if it was stolen. */
export function sched_pop_js(reg: usize, w: u32, rec: usize): i32 {
  const d = regDeque(reg, w);
  if (dequePop(d) != SUCCESS) return 0;
  const job = taken();
  if (job == jobJs(0, <u32>rec)) return 1;
  dequePush(d, job); // not ours (not expected: joins pop what they push): put it back
  return 0;
}
export function sched_mark_top(reg: usize, w: u32): usize { return schedMarkTop(reg, w); }
export function sched_mark_running(reg: usize, w: u32): usize { return schedMarkRunning(reg, w); }
/** After a trap in a job of worker `w`: drops what the unwound joins left queued (worker.ts schedAbandon). */
export function sched_abandon(reg: usize, w: u32, top: usize): void { schedAbandon(reg, w, top); }
/** Then one unwound frame per call until 0 (worker.ts schedAbandonStep); may trap. */
export function sched_abandon_step(reg: usize, w: u32, top: usize, running: usize): i32 {
  return schedAbandonStep(reg, w, top, running);
}
/** The registry this thread's worker loop belongs to (0: not a pool worker). */
export function sched_current(): usize { return schedCurrentRegistry(); }

/** Built-in kernel: fib(n) with a join at every call (sequential outside a pool worker). */
export function sched_fib(n: i32): f64 { return <f64>fibJoin(<i64>n); }
/** The same without joins: the sequential baseline. */
export function sched_fib_seq(n: i32): f64 { return <f64>fibSeq(<i64>n); }
/** A SpinLatch waited by worker `w` of pool `reg` (it sleeps in the pool's sleep registry). */
export function sched_latch_init_spin(l: usize, reg: usize, w: u32): void {
  latchInit(l, regSleep(reg), w, 0);
}
/** Test: fib with joins that traps at n == 3 (in a pool worker; outside one, it traps at once). */
export function sched_test_trap_join(n: i32): f64 { return <f64>trapFibJoin(<i64>n); }
/**
 * Test: fib with joins whose n == 3 calls trap after the first `limit` of them (kernels.ts
 * K_TRAP_FIB_AFTER): traps while both workers are deep in the joins. In a pool worker only.
 */
export function sched_test_trap_join_after(n: i32, limit: u32): f64 { return <f64>trapAfterFib(<i64>n, limit); }

// ---- par (sched/par.ts) -------------------------------------------------------------------------
import { parReduce, parHas, parExact, parBitsHi, parBitsLo } from "../sched/par";
export {
  PK_RANGE, PK_F64, PK_F32, PK_I32, PK_U32, PO_SUM, PO_MIN, PO_MAX, PO_COUNT, PO_WORKERS,
} from "../sched/par";
/**
 * Folds [start, end) of a source (PK_*: a range, or the typed array whose first element is at
 * `base`) with the reduction `op` (PO_*), splitting adaptively over this worker's pool. start /
 * end are integers (f64 across the ABI: |x| <= 2^53, the host checks). sched_par_has /
 * sched_par_exact describe the result (sched/par.ts parReduce).
 */
export function sched_par_reduce(kind: u32, op: u32, base: usize, start: f64, end: f64, minLen: u32): f64 {
  return parReduce(kind, op, base, <i64>start, <i64>end, minLen);
}
export function sched_par_has(): u32 { return parHas(); }
export function sched_par_exact(): u32 { return parExact(); }
/** The last integer result's exact i64 bits, when sched_par_exact said 0. */
export function sched_par_bits_hi(): u32 { return parBitsHi(); }
export function sched_par_bits_lo(): u32 { return parBitsLo(); }
