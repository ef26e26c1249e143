// The pool's registry (rayon-core's registry.rs `Registry`): everything the N workers of one
// pool share — their deques, the injector, the sleep registry, the terminate flag — in one heap
// block. Several pools side by side are several registries.
//
// Registry (one heap block, RG_WORKERS + n * RG_SLOT bytes):
//
//   0     4           8        12         16       64          128
//   +-----+-----------+--------+----------+--------+-----------+-----------+----
//   | N   | TERMINATE | INSIDE | INJECTOR | SLEEP  | slot 0    | slot 1    | ...
//   +-----+-----------+--------+----------+--------+-----------+-----------+----
//   N          workers (fixed at creation)
//   TERMINATE  0, then 1 once the pool shuts down (workers leave their loop when idle)
//   INSIDE     workers currently inside their loop (schedRun entered, not yet returned 0)
//   INJECTOR   injector.ts queue: JS jobs from outside the pool
//   SLEEP      sleep.ts registry of the N workers (it checks INJECTOR before a worker sleeps)
//
//   worker slot (64 bytes, its own cache line):
//     +0  DEQUE     the worker's Chase-Lev deque (deque.ts)
//     +4  INBOX     an injector only for this worker: broadcast jobs
//     +8  SEED      xorshift state for the random start of a steal round (own thread only)
//     +12 STACK     base of the worker's job stack (RG_STACK_BYTES): stack-job records of the
//                   wasm joins running on this worker, strictly nested (LIFO) like the joins
//     +16 TOP       first free byte of that stack (own thread only)
//     +20 RUNNING   innermost stolen wasm job this worker is running (a record; chain through
//                   SJ_RUN_NEXT): what a trap must fail so that its joiner does not wait forever
//   Every field but SEED / TOP / RUNNING is written at creation and never again: plain reads are
//   safe. SEED / TOP / RUNNING are read and written only by the worker's own thread: plain too.
import { load32, store32, add32 } from "../sync/atomic";
import { malloc, free } from "../heap/index";
import { dequeNew, dequeFree } from "./deque";
import { injectorNew, injectorFree, injectorPush, injectorIsEmpty } from "./injector";
import { sleepNew, sleepFree, sleepNewJobs, SLEEP_MAX_WORKERS } from "./sleep";
import { SUCCESS } from "../layout";

export const RG_N: usize = 0;
export const RG_TERMINATE: usize = 4;
export const RG_INSIDE: usize = 8;
export const RG_INJECTOR: usize = 12;
export const RG_SLEEP: usize = 16;
export const RG_WORKERS: usize = 64;
export const RG_SLOT: usize = 64;
export const WS_DEQUE: usize = 0;
export const WS_INBOX: usize = 4;
export const WS_SEED: usize = 8;
export const WS_STACK: usize = 12;
export const WS_TOP: usize = 16;
export const WS_RUNNING: usize = 20;

/** Bytes of each worker's job stack: 1024 nested joins of fib's 64-byte blocks (SJ_SIZE record + data). */
export const RG_STACK_BYTES: usize = 64 * 1024;
/** Most workers of one pool. */
export const RG_MAX_WORKERS: u32 = 256;

// @ts-ignore: decorator
@inline export function regSlot(reg: usize, w: u32): usize { return reg + RG_WORKERS + <usize>w * RG_SLOT; }
// @ts-ignore: decorator
@inline export function regN(reg: usize): u32 { return load<u32>(reg + RG_N); } // immutable
// @ts-ignore: decorator
@inline export function regSleep(reg: usize): usize { return <usize>load<u32>(reg + RG_SLEEP); } // immutable
// @ts-ignore: decorator
@inline export function regInjector(reg: usize): usize { return <usize>load<u32>(reg + RG_INJECTOR); } // immutable
// @ts-ignore: decorator
@inline export function regDeque(reg: usize, w: u32): usize { return <usize>load<u32>(regSlot(reg, w) + WS_DEQUE); } // immutable
// @ts-ignore: decorator
@inline export function regTerminating(reg: usize): bool { return load32(reg + RG_TERMINATE) != 0; }

/** A registry for `n` workers (1..RG_MAX_WORKERS); 0 if out of memory (nothing is leaked). */
export function registryNew(n: u32): usize {
  if (n == 0 || n > RG_MAX_WORKERS || n > SLEEP_MAX_WORKERS) return 0;
  const bytes = RG_WORKERS + <usize>n * RG_SLOT;
  const reg = malloc(bytes);
  if (reg == 0) return 0;
  memory.fill(reg, 0, bytes); // plain: private until its pointer is handed out
  store<u32>(reg + RG_N, n);
  const inj = injectorNew();
  if (inj == 0) { registryFree(reg); return 0; }
  store<u32>(reg + RG_INJECTOR, <u32>inj);
  const sleep = sleepNew(n, inj);
  if (sleep == 0) { registryFree(reg); return 0; }
  store<u32>(reg + RG_SLEEP, <u32>sleep);
  for (let w: u32 = 0; w < n; w++) {
    const s = regSlot(reg, w);
    const d = dequeNew(64);
    if (d == 0) { registryFree(reg); return 0; }
    store<u32>(s + WS_DEQUE, <u32>d);
    const inbox = injectorNew();
    if (inbox == 0) { registryFree(reg); return 0; }
    store<u32>(s + WS_INBOX, <u32>inbox);
    const stack = malloc(RG_STACK_BYTES);
    if (stack == 0) { registryFree(reg); return 0; }
    store<u32>(s + WS_STACK, <u32>stack);
    store<u32>(s + WS_TOP, <u32>stack);
    store<u32>(s + WS_SEED, 0x9E3779B9 ^ (w * 0x85EBCA6B) | 1);
  }
  return reg;
}

/**
 * Frees the registry and everything it owns (a partially built one too). Only once no worker is
 * inside its loop and no thread can reach the pool any more: the pool (ts/sched/pool.ts) calls it
 * after every worker task has ended.
 */
export function registryFree(reg: usize): void {
  const n = regN(reg);
  for (let w: u32 = 0; w < n; w++) {
    const s = regSlot(reg, w);
    const d = <usize>load<u32>(s + WS_DEQUE);
    if (d != 0) dequeFree(d);
    const inbox = <usize>load<u32>(s + WS_INBOX);
    if (inbox != 0) injectorFree(inbox);
    const stack = <usize>load<u32>(s + WS_STACK);
    if (stack != 0) free(stack);
  }
  const sleep = regSleep(reg);
  if (sleep != 0) sleepFree(sleep);
  const inj = regInjector(reg);
  if (inj != 0) injectorFree(inj);
  free(reg);
}

/** Any thread: queues `job` for any worker (install / spawn from outside the pool). */
export function registryInject(reg: usize, job: u64): i32 {
  const inj = regInjector(reg);
  const wasEmpty = injectorIsEmpty(inj);
  const r = injectorPush(inj, job);
  if (r != SUCCESS) return r;
  sleepNewJobs(regSleep(reg), 1, wasEmpty); // after the push (SLEEP.md: publishing)
  return SUCCESS;
}

/** Any thread: queues `job` for worker `w` only (broadcast). */
export function registryInjectTo(reg: usize, w: u32, job: u64): i32 {
  const r = injectorPush(<usize>load<u32>(regSlot(reg, w) + WS_INBOX), job);
  if (r != SUCCESS) return r;
  // The job is for `w` alone, and the heuristic of sleepNewJobs may wake another sleeper: move
  // JEC on (a sleepy `w` searches again) and wake every sleeper (broadcasts are rare).
  sleepNewJobs(regSleep(reg), regN(reg), false);
  return SUCCESS;
}

/**
 * Any thread: asks the workers to leave their loops once they find no work (queued jobs are
 * still run). Same publication as a new job: a worker about to sleep sees JEC move or is woken,
 * and every search round checks TERMINATE first (worker.ts), so none sleeps through it.
 */
export function registryTerminate(reg: usize): void {
  store32(reg + RG_TERMINATE, 1);
  sleepNewJobs(regSleep(reg), regN(reg), false);
}

/** Workers inside their loop (a snapshot). */
export function registryInside(reg: usize): i32 { return load32(reg + RG_INSIDE); }
// @ts-ignore: decorator
@inline export function registryEnter(reg: usize): void { add32(reg + RG_INSIDE, 1); }
// @ts-ignore: decorator
@inline export function registryLeave(reg: usize): void { add32(reg + RG_INSIDE, -1); }
