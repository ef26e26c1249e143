// The sleep protocol of the worker pool: when idle workers stop searching and sleep, and how a
// thread that publishes a job wakes the right number of them without ever losing a wake-up.
// This is rayon-core's sleep module (sleep/mod.rs, sleep/counters.rs); SLEEP.md beside this
// file tells the protocol and proves that no wake-up is lost.
//
// Registry (one heap block, SL_WORKERS + n * 64 bytes):
//
//   0                 8         12          64            128
//   +-----------------+---------+-----------+-------------+-------------+----
//   | COUNTERS (u64)  | N       | INJECTOR  | worker 0    | worker 1    | ...
//   +-----------------+---------+-----------+-------------+-------------+----
//
//   COUNTERS, one 64-bit word so that one cmpxchg sees all three at once:
//     bits  0..15  SLEEPING  workers registered asleep (each also counted IDLE)
//     bits 16..31  IDLE      workers looking for work (awake or asleep)
//     bits 32..63  JEC       jobs event counter: odd = some worker is sleepy and no job was
//                            published since; even = a job was published since the last one
//                            got sleepy. Wraps mod 2^32 (parity survives).
//   N         number of workers (fixed at creation)
//   INJECTOR  the pool's injector (injector.ts) or 0: checked one last time before sleeping
//
//   worker record (64 bytes, its own cache line):
//     +0  LOCK     raw lock: makes "register as sleeping + set BLOCKED" atomic for wakers
//     +4  BLOCKED  futex word: 1 while the worker sleeps; a waker sets it to 0 and wakes it
//     +8  ROUNDS   idle rounds so far            } the worker's IdleState: written and read only
//     +16 JEC      JEC it saw when sleepy (i64,   } by that worker's own thread, so plain accesses
//                  -1 = none yet)                 } are safe
//
// A worker's idle loop (the pool's): sleepStartLooking; then repeatedly search (own deque,
// steal from the others, injector) and call sleepNoWorkFound after each empty search; on
// finding a job, sleepWorkFound. Publishers call sleepNewJobs after each push.
import { load32, store32, load64, cas64, add64 } from "../sync/atomic";
import { futexWait, futexWake, spin, TIMED_OUT } from "../sync/futex";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { malloc, free } from "../heap/index";
import { latchGetSleepy, latchFallAsleep, latchWakeUp } from "./latch";
import { injectorIsEmpty } from "./injector";

export const SL_COUNTERS: usize = 0;
export const SL_N: usize = 8;
export const SL_INJECTOR: usize = 12;
export const SL_WORKERS: usize = 64;
export const SL_WORKER_SIZE: usize = 64;
export const SW_LOCK: usize = 0;
export const SW_BLOCKED: usize = 4;
export const SW_ROUNDS: usize = 8;
export const SW_JEC: usize = 16;
/** Most workers a registry holds (the thread counts are 16-bit fields). */
export const SLEEP_MAX_WORKERS: u32 = 0xFFFF;

const ONE_SLEEPING: u64 = 1;
const ONE_IDLE: u64 = 1 << 16;
const ONE_JEC: u64 = 1 << 32;
const JEC_NONE: i64 = -1;

/** Empty searches before a worker gets sleepy, and before it sleeps (rayon's 32 and 33). */
export const ROUNDS_UNTIL_SLEEPY: i32 = 32;
export const ROUNDS_UNTIL_SLEEPING: i32 = ROUNDS_UNTIL_SLEEPY + 1;

// What sleepNoWorkFound did (the worker searches again after each, unless its latch is set).
export const IDLE_SPUN: i32 = 0;               // one short pause; still awake
export const IDLE_WOKEN: i32 = 1;              // slept, and was woken
export const IDLE_INTERRUPTED_BY_JOB: i32 = 2; // about to sleep, but a job was published
export const IDLE_INTERRUPTED_BY_LATCH: i32 = 3; // about to sleep, but the latch was set
export const IDLE_TIMED_OUT: i32 = 4;          // slept until the deadline (test / shutdown aid)

// @ts-ignore: decorator
@inline function sleeping(c: u64): u32 { return <u32>(c & 0xFFFF); }
// @ts-ignore: decorator
@inline function idle(c: u64): u32 { return <u32>((c >>> 16) & 0xFFFF); }
// @ts-ignore: decorator
@inline function jec(c: u64): i64 { return <i64>(c >>> 32); }
// @ts-ignore: decorator
@inline function isSleepy(j: i64): bool { return (j & 1) != 0; }
// @ts-ignore: decorator
@inline function worker(reg: usize, w: u32): usize { return reg + SL_WORKERS + <usize>w * SL_WORKER_SIZE; }

/** A registry for `n` workers (1..SLEEP_MAX_WORKERS), all awake and busy; 0 if out of memory. */
export function sleepNew(n: u32, injector: usize): usize {
  const bytes = SL_WORKERS + <usize>n * SL_WORKER_SIZE;
  const reg = malloc(bytes);
  if (reg == 0) return 0;
  memory.fill(reg, 0, bytes); // plain: private until its pointer is handed out
  store<u32>(reg + SL_N, n);
  store<u32>(reg + SL_INJECTOR, <u32>injector);
  for (let w: u32 = 0; w < n; w++) store<i64>(worker(reg, w) + SW_JEC, JEC_NONE);
  return reg;
}

export function sleepFree(reg: usize): void { free(reg); }

// ---- the idle worker's side -----------------------------------------------------------------

/** Worker `w` starts looking for work (rayon's start_looking): it counts as idle from now. */
export function sleepStartLooking(reg: usize, w: u32): void {
  add64(reg + SL_COUNTERS, ONE_IDLE);
  wakeFully(worker(reg, w));
}

/** Worker `w` found a job and stops being idle. If it was the last idle one while others sleep, wake some to help (rayon: up to 2). */
export function sleepWorkFound(reg: usize, w: u32): void {
  const old = add64(reg + SL_COUNTERS, -ONE_IDLE);
  const n = min(sleeping(old), 2);
  if (n > 0) sleepWakeAny(reg, n);
}

/**
 * Worker `w`'s search found nothing: pause briefly, get sleepy, or sleep (rayon's no_work_found).
 * `latch` (0 for none) is the latch the worker is waiting for, if any: its set interrupts the
 * sleep. `deadline` (now() ms, Infinity for none) bounds a sleep. Returns an IDLE_* code.
 */
// @ts-ignore: decorator
@inline export function sleepNoWorkFound(reg: usize, w: u32, latch: usize, deadline: f64): i32 {
  const rec = worker(reg, w);
  const rounds = load<i32>(rec + SW_ROUNDS); // own record: plain
  if (rounds < ROUNDS_UNTIL_SLEEPY) {
    store<i32>(rec + SW_ROUNDS, rounds + 1);
    pause(rounds);
    return IDLE_SPUN;
  }
  return sleepNoWorkFoundCold(reg, rec, rounds, latch, deadline);
}

function sleepNoWorkFoundCold(reg: usize, rec: usize, rounds: i32, latch: usize, deadline: f64): i32 {
  if (rounds == ROUNDS_UNTIL_SLEEPY) {
    // Get sleepy: make JEC odd (or keep an odd one) and remember it. The caller then searches
    // once more (ROUNDS_UNTIL_SLEEPING) before sleeping: a job published before this point is
    // found by that search; one published after it changes JEC or sees us sleeping (SLEEP.md).
    store<i64>(rec + SW_JEC, announceSleepy(reg));
    store<i32>(rec + SW_ROUNDS, rounds + 1);
    pause(rounds);
    return IDLE_SPUN;
  }
  return sleepCold(reg, rec, latch, deadline);
}

/** No pause instruction in wasm: a short burst of loads of a private word (sync/futex.ts spin). */
// @ts-ignore: decorator
@inline function pause(rounds: i32): void { spin(min(rounds, 4)); }

function announceSleepy(reg: usize): i64 {
  for (;;) {
    const c = <u64>load64(reg + SL_COUNTERS);
    const j = jec(c);
    if (isSleepy(j)) return j; // someone is already sleepy and no job came since: share it
    // Even (a job came since the last sleepy worker): make it odd. The CAS fails only when the
    // counters changed under us; then read again.
    if (<u64>cas64(reg + SL_COUNTERS, <i64>c, <i64>(c + ONE_JEC)) == c) return jec(c + ONE_JEC);
  }
  return 0; // not reached
}

function sleepCold(reg: usize, rec: usize, latch: usize, deadline: f64): i32 {
  // 1. Tell the latch's setter that we may sleep (UNSET -> SLEEPY), so that it wakes us.
  if (latch != 0 && !latchGetSleepy(latch)) return IDLE_INTERRUPTED_BY_LATCH;
  // 2. Hold our record's lock from before we count ourselves asleep until BLOCKED = 1: a waker
  //    that sees us counted in SLEEPING locks the record and so always finds BLOCKED = 1.
  rawLock(rec + SW_LOCK);
  if (latch != 0 && !latchFallAsleep(latch)) {
    rawUnlock(rec + SW_LOCK);
    wakeFully(rec);
    return IDLE_INTERRUPTED_BY_LATCH;
  }
  // 3. Register as sleeping, but only if JEC still has the value we saw when sleepy: otherwise
  //    a job was published since (sleepNewJobs moved JEC): search again from just before sleepy.
  const sleepyJec = load<i64>(rec + SW_JEC);
  for (;;) {
    const c = <u64>load64(reg + SL_COUNTERS);
    if (jec(c) != sleepyJec) {
      rawUnlock(rec + SW_LOCK);
      wakePartly(rec);
      if (latch != 0) latchWakeUp(latch);
      return IDLE_INTERRUPTED_BY_JOB;
    }
    if (<u64>cas64(reg + SL_COUNTERS, <i64>c, <i64>(c + ONE_SLEEPING)) == c) break;
  }
  // 4. Last look at the injector (rayon's guard against a JEC that wrapped right round while we
  //    were sleepy). We counted ourselves asleep, so we count ourselves awake again.
  const inj = <usize>load<u32>(reg + SL_INJECTOR); // written at creation only
  if (inj != 0 && !injectorIsEmpty(inj)) {
    add64(reg + SL_COUNTERS, -ONE_SLEEPING);
    rawUnlock(rec + SW_LOCK);
    wakeFully(rec);
    if (latch != 0) latchWakeUp(latch);
    return IDLE_INTERRUPTED_BY_JOB;
  }
  // 5. Sleep. From here a waker (sleepWakeWorker) sets BLOCKED = 0, takes us out of SLEEPING
  //    and wakes the futex; it needs the lock, which we hold until BLOCKED = 1 is stored.
  store32(rec + SW_BLOCKED, 1);
  rawUnlock(rec + SW_LOCK);
  const r = blockCold(reg, rec, deadline);
  wakeFully(rec);
  if (latch != 0) latchWakeUp(latch);
  return r;
}

function blockCold(reg: usize, rec: usize, deadline: f64): i32 {
  while (load32(rec + SW_BLOCKED) == 1) {
    // Pairs with futexWake in sleepWakeWorker; returns at once if BLOCKED is already 0.
    if (futexWait(rec + SW_BLOCKED, 1, deadline) == TIMED_OUT) {
      // Deadline: unregister ourselves, unless a waker did it (and so counted us out) first.
      rawLock(rec + SW_LOCK);
      const still = load32(rec + SW_BLOCKED) == 1;
      if (still) {
        store32(rec + SW_BLOCKED, 0);
        add64(reg + SL_COUNTERS, -ONE_SLEEPING);
      }
      rawUnlock(rec + SW_LOCK);
      return still ? IDLE_TIMED_OUT : IDLE_WOKEN;
    }
  }
  return IDLE_WOKEN;
}

// Own record, own thread: plain accesses (see the layout).
// @ts-ignore: decorator
@inline function wakeFully(rec: usize): void {
  store<i32>(rec + SW_ROUNDS, 0);
  store<i64>(rec + SW_JEC, JEC_NONE);
}
// @ts-ignore: decorator
@inline function wakePartly(rec: usize): void {
  store<i32>(rec + SW_ROUNDS, ROUNDS_UNTIL_SLEEPY);
  store<i64>(rec + SW_JEC, JEC_NONE);
}

// ---- the publisher's side -------------------------------------------------------------------

/**
 * `n` jobs were just pushed (on a deque or the injector); `queueWasEmpty`: the queue had none
 * before. Call after the push (its SeqCst store orders the push before the counters read).
 * Wakes sleepers so that there is roughly one awake idle worker per job (rayon's new_jobs).
 */
// @ts-ignore: decorator
@inline export function sleepNewJobs(reg: usize, n: u32, queueWasEmpty: bool): void {
  // Fast path (every join pushes): nobody sleepy and nobody asleep, so there is nothing to move
  // or wake — exactly what the loop below would conclude from this same snapshot.
  const c = <u64>load64(reg + SL_COUNTERS);
  if (!isSleepy(jec(c)) && sleeping(c) == 0) return;
  sleepNewJobsCold(reg, n, queueWasEmpty);
}

function sleepNewJobsCold(reg: usize, n: u32, queueWasEmpty: bool): void {
  // 1. If a worker is sleepy (JEC odd), move JEC on: its registration as sleeper (a cmpxchg
  //    expecting the old JEC) will fail and it will search again.
  let c: u64;
  for (;;) {
    c = <u64>load64(reg + SL_COUNTERS);
    if (!isSleepy(jec(c))) break;
    if (<u64>cas64(reg + SL_COUNTERS, <i64>c, <i64>(c + ONE_JEC)) == c) break;
  }
  // 2. Sleepers registered before that point are asleep (or about to be, holding their lock):
  //    wake as many as the jobs need beyond the idle workers still awake.
  const sleepers = sleeping(c);
  if (sleepers == 0) return;
  const awakeIdle = idle(c) - sleepers;
  if (!queueWasEmpty) {
    sleepWakeAny(reg, min(n, sleepers)); // the queue already had work: clearly not enough hands
  } else if (awakeIdle < n) {
    sleepWakeAny(reg, min(n - awakeIdle, sleepers));
  }
}

/** Wakes up to `n` sleeping workers (any of them). */
export function sleepWakeAny(reg: usize, n: u32): void {
  const workers = load<u32>(reg + SL_N); // written at creation only
  for (let w: u32 = 0; w < workers && n > 0; w++) {
    if (sleepWakeWorker(reg, w)) n--;
  }
}

/** Wakes worker `w` if it sleeps (rayon's wake_specific_thread): true if it did. */
export function sleepWakeWorker(reg: usize, w: u32): bool {
  const rec = worker(reg, w);
  rawLock(rec + SW_LOCK);
  if (load32(rec + SW_BLOCKED) != 1) { rawUnlock(rec + SW_LOCK); return false; }
  store32(rec + SW_BLOCKED, 0);
  // We count it out of SLEEPING (not the sleeper when it runs again), so that publishers stop
  // counting on it at once.
  add64(reg + SL_COUNTERS, -ONE_SLEEPING);
  rawUnlock(rec + SW_LOCK);
  futexWake(rec + SW_BLOCKED, 1); // pairs with futexWait in blockCold
  return true;
}

// ---- snapshots (tests, stats) ---------------------------------------------------------------
export function sleepSleeping(reg: usize): u32 { return sleeping(<u64>load64(reg + SL_COUNTERS)); }
export function sleepIdle(reg: usize): u32 { return idle(<u64>load64(reg + SL_COUNTERS)); }
export function sleepJec(reg: usize): u32 { return <u32>jec(<u64>load64(reg + SL_COUNTERS)); }
