// The worker loop and the wasm join of the pool (rayon-core's registry.rs WorkerThread and
// join/mod.rs join_context, carried over to one shared-memory wasm).
//
// * schedRun(reg, w): the loop of worker `w` (ts/sched/pool.ts calls it in a loop). Finds work —
//   own deque (LIFO), this worker's broadcast inbox, a steal from the other workers from a random
//   start (again while any steal said RETRY), the injector — runs wasm jobs itself, and returns
//   the first JS job it finds (its record pointer) to JS; 0 once the pool terminates and no work
//   is left. Idle rounds follow SLEEP.md (start looking, no work found ... sleep, work found).
// * schedWait(reg, w, latch): the same search while a JS join waits for `latch`; 0 once it is set.
// * schedJoin(ka, da, kb, db): work-first join of two built-in kernels (kernels.ts) on the worker
//   that runs it: push b, run a, pop b back (still ours: run it inline) or, when it was stolen,
//   steal and run other wasm jobs until b's latch is set. Out of a pool, or out of stack space,
//   both run in sequence (a join may always do that).
//
// Stack jobs. b's job record (its latch and data pointer, SJ_*) lives on the worker's job stack
// (registry.ts WS_STACK / WS_TOP), not in a malloc'ed block: joins on one worker are strictly
// nested, so a bump pointer allocates and frees them at the cost of two plain stores. A thief
// writes only b's latch, and the owner does not pop the record before that latch is set.
//
//   stack-job record (SJ_SIZE bytes, on the owner's job stack):
//   0            24      28       32         36          40        44    48
//   +------------+-------+--------+----------+-----------+---------+-----+
//   | LATCH      | DATA  | FAILED | RUN_NEXT | JOIN_NEXT | RUN_TOP | pad |
//   +------------+-------+--------+----------+-----------+---------+-----+
//   LATCH      latch.ts SpinLatch (REGISTRY = the pool's sleep registry, TARGET = the owner)
//   DATA       b's data pointer (written before the push publishes the job)
//   FAILED     1 when b trapped on its thief: the owner traps too (the error travels up);
//              2 (owner-only) when the owner took b back itself: no thief will set the latch
//   RUN_NEXT   the thief's RUNNING chain while it runs b (thief-only)
//   JOIN_NEXT  the owner's chain of joins in progress (owner-only)
//   RUN_TOP    the thief's job-stack top when it started b (thief-only): the joins it made while
//              running b lie above it, older ones below (schedAbandonStep orders by it)
//
// Traps. A trap cannot be caught inside wasm: it unwinds every wasm frame to the nearest JS frame
// (the pool's loop or the JS code that called a kernel). Before running a job, JS notes
// schedMarkTop / schedMarkRunning; after a trap it recovers what the unwound frames left, as
// rayon's unwinding does frame by frame: schedAbandon drops the jobs the unwound joins left in
// this worker's deque (nobody runs them), then schedAbandonStep, called until it says done,
// takes the innermost unwound frame each time: a join whose b was stolen is waited for (its
// thief still writes the latch, and b's own work still runs), a stolen job this worker was
// running is failed (FAILED + latch: its owner traps in turn, and the error climbs to the JS job
// at the root). Finally the job stack is reset to the mark. Waiting runs stolen jobs, which may
// trap too: JS recovers that nested trap the same way (ts/sched/pool.ts abandon, protocol at
// schedAbandonStep).
import { load32, store32 } from "../sync/atomic";
import { jobWasm, jobIsJs, jobIndex, jobLo, taken, setTaken } from "./job";
import { dequePush, dequePop, dequeSteal, dequeStealWasm, dequeIsEmpty } from "./deque";
import { injectorSteal } from "./injector";
import { latchInitSpin, latchProbe, latchSet, LATCH_SIZE } from "./latch";
import { sleepStartLooking, sleepWorkFound, sleepNoWorkFound, sleepNewJobs } from "./sleep";
import {
  regSlot, regN, regSleep, regInjector, regDeque, regTerminating, registryEnter, registryLeave,
  WS_INBOX, WS_SEED, WS_STACK, WS_TOP, WS_RUNNING, RG_STACK_BYTES,
} from "./registry";
import { runKernel } from "./kernels";
import { SUCCESS, RETRY } from "../layout";

export const SJ_LATCH: usize = 0;
export const SJ_DATA: usize = LATCH_SIZE;
export const SJ_FAILED: usize = LATCH_SIZE + 4;
export const SJ_RUN_NEXT: usize = LATCH_SIZE + 8;
export const SJ_JOIN_NEXT: usize = LATCH_SIZE + 12;
export const SJ_RUN_TOP: usize = LATCH_SIZE + 16;
export const SJ_SIZE: usize = LATCH_SIZE + 24; // a multiple of 8: the kernels' data follow it

// This thread's pool and worker index while it runs a worker loop (wasm globals are per instance,
// that is per thread): what schedJoin and the kernels' stack allocation use. 0 / 0 elsewhere.
let CUR_REG: usize = 0;
let CUR_W: u32 = 0;
/** Innermost join in progress on this worker (the JOIN_NEXT chain); own thread only. */
let JOINS: usize = 0;

/** Enters the worker loop context (the JS loop calls it once per worker task). */
export function schedEnter(reg: usize, w: u32): void {
  CUR_REG = reg;
  CUR_W = w;
  registryEnter(reg);
}
/** Leaves it (after schedRun returned 0). */
export function schedLeave(reg: usize): void {
  registryLeave(reg);
  CUR_REG = 0;
  CUR_W = 0;
}
export function schedCurrentRegistry(): usize { return CUR_REG; }
/** This thread's worker index in its pool (0 outside a pool: check schedCurrentRegistry first). */
export function schedCurrentWorker(): u32 { return CUR_W; }

// ---- the job stack --------------------------------------------------------------------------

/**
 * `bytes` (a multiple of 8) on this worker's job stack, or 0 when it is full or this thread is
 * no pool worker. Freed by schedStackRelease(p), LIFO. Own slot: plain accesses.
 */
// @ts-ignore: decorator
@inline export function schedStackAlloc(bytes: usize): usize {
  const reg = CUR_REG;
  if (reg == 0) return 0;
  const s = regSlot(reg, CUR_W);
  const p = <usize>load<u32>(s + WS_TOP);
  if (p + bytes > <usize>load<u32>(s + WS_STACK) + RG_STACK_BYTES) return 0;
  store<u32>(s + WS_TOP, <u32>(p + bytes));
  return p;
}
// @ts-ignore: decorator
@inline export function schedStackRelease(p: usize): void {
  store<u32>(regSlot(CUR_REG, CUR_W) + WS_TOP, <u32>p);
}

// ---- running a wasm job taken from the queues -----------------------------------------------

/** Runs the stolen (or popped) wasm job `job` and sets its latch; chained on RUNNING meanwhile. */
function runWasmJob(s: usize, job: u64): void {
  const rec = <usize>jobLo(job);
  store<u32>(rec + SJ_RUN_NEXT, load<u32>(s + WS_RUNNING)); // record: ours while we run it
  store<u32>(rec + SJ_RUN_TOP, load<u32>(s + WS_TOP));
  store<u32>(s + WS_RUNNING, <u32>rec);
  // DATA: written by the owner before its push published the job (SeqCst BOTTOM store).
  runKernel(jobIndex(job), <usize>load<u32>(rec + SJ_DATA));
  store<u32>(s + WS_RUNNING, load<u32>(rec + SJ_RUN_NEXT)); // read before the set below
  latchSet(rec + SJ_LATCH); // from here the owner may reuse the record
}

// ---- finding work ---------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function nextRandom(s: usize): u32 {
  let x = load<u32>(s + WS_SEED); // own slot: plain
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  store<u32>(s + WS_SEED, x);
  return x;
}

/** Steals from the other workers, from a random start, while any steal says RETRY. */
function stealOthers(reg: usize, w: u32, s: usize, wasmOnly: bool): bool {
  const n = regN(reg);
  if (n < 2) return false;
  for (;;) {
    let retry = false;
    const start = nextRandom(s) % n;
    for (let i: u32 = 0; i < n; i++) {
      let v = start + i;
      if (v >= n) v -= n;
      if (v == w) continue;
      const d = regDeque(reg, v);
      const r = wasmOnly ? dequeStealWasm(d) : dequeSteal(d);
      if (r == SUCCESS) return true;
      if (r == RETRY) retry = true;
    }
    if (!retry) return false;
  }
  return false; // not reached
}

/** Every source, in rayon's order: own deque, inbox, the others, the injector. */
function findWork(reg: usize, w: u32, s: usize): bool {
  if (dequePop(regDeque(reg, w)) == SUCCESS) return true;
  for (;;) {
    let r = injectorSteal(<usize>load<u32>(s + WS_INBOX));
    if (r == SUCCESS) return true;
    let retry = r == RETRY;
    if (stealOthers(reg, w, s, false)) return true;
    r = injectorSteal(regInjector(reg));
    if (r == SUCCESS) return true;
    if (!retry && r != RETRY) return false;
  }
  return false; // not reached
}

/**
 * Worker `w`'s loop: runs wasm jobs until it finds a JS job (returns its record pointer) or the
 * pool terminates with no work left (returns 0).
 */
export function schedRun(reg: usize, w: u32): usize {
  const s = regSlot(reg, w);
  const sleep = regSleep(reg);
  for (;;) {
    if (!findWork(reg, w, s)) {
      // Idle: the sleep protocol, with TERMINATE checked before every search (registry.ts).
      sleepStartLooking(sleep, w);
      for (;;) {
        if (regTerminating(reg)) { sleepWorkFound(sleep, w); return 0; }
        if (findWork(reg, w, s)) break;
        sleepNoWorkFound(sleep, w, 0, Infinity);
      }
      sleepWorkFound(sleep, w);
    }
    const job = taken();
    if (jobIsJs(job)) return <usize>jobLo(job);
    runWasmJob(s, job);
  }
  return 0; // not reached
}

/** A JS join waits for `latch`: runs wasm jobs meanwhile; a JS job found is returned (its record), 0 once the latch is set. */
export function schedWait(reg: usize, w: u32, latch: usize): usize {
  const s = regSlot(reg, w);
  const sleep = regSleep(reg);
  for (;;) {
    if (latchProbe(latch)) return 0;
    if (!findWork(reg, w, s)) {
      sleepStartLooking(sleep, w);
      for (;;) {
        if (latchProbe(latch)) { sleepWorkFound(sleep, w); return 0; }
        if (findWork(reg, w, s)) break;
        sleepNoWorkFound(sleep, w, latch, Infinity);
      }
      sleepWorkFound(sleep, w);
    }
    const job = taken();
    if (jobIsJs(job)) return <usize>jobLo(job);
    runWasmJob(s, job);
  }
  return 0; // not reached
}

/** Inside wasm: waits for `latch` while stealing and running wasm jobs only. */
function waitWasmCold(reg: usize, w: u32, s: usize, latch: usize): void {
  const sleep = regSleep(reg);
  for (;;) {
    if (latchProbe(latch)) return;
    if (!stealOthers(reg, w, s, true)) {
      sleepStartLooking(sleep, w);
      let found = false;
      for (;;) {
        if (latchProbe(latch)) break;
        if (stealOthers(reg, w, s, true)) { found = true; break; }
        sleepNoWorkFound(sleep, w, latch, Infinity);
      }
      sleepWorkFound(sleep, w);
      if (!found) return;
    }
    runWasmJob(s, taken());
  }
}

// ---- join -----------------------------------------------------------------------------------

/** Work-first join of built-in kernels `ka(da)` and `kb(db)` (header). Inlined into each kernel: one call less per join. */
// @ts-ignore: decorator
@inline export function schedJoin(ka: u32, da: usize, kb: u32, db: usize): void {
  const rec = schedStackAlloc(SJ_SIZE);
  if (rec == 0) { runKernel(ka, da); runKernel(kb, db); return; } // no pool, or no room
  schedJoinAt(rec, ka, da, kb, db);
  schedStackRelease(rec);
}

/**
 * schedJoin with b's record at `rec`: SJ_SIZE bytes the caller took from this worker's job stack
 * (schedStackAlloc) and frees after, so that a kernel takes its record and its data blocks in
 * one allocation. Only on a pool worker (rec != 0 says so).
 */
// @ts-ignore: decorator
@inline export function schedJoinAt(rec: usize, ka: u32, da: usize, kb: u32, db: usize): void {
  const reg = CUR_REG, w = CUR_W;
  // Plain stores: the record is ours until the push below publishes it.
  latchInitSpin(rec + SJ_LATCH, regSleep(reg), w);
  store<u32>(rec + SJ_DATA, <u32>db);
  store<u32>(rec + SJ_FAILED, 0);
  store<u32>(rec + SJ_JOIN_NEXT, <u32>JOINS);
  JOINS = rec;
  const job = jobWasm(0, kb, rec);
  const d = regDeque(reg, w);
  const wasEmpty = dequeIsEmpty(d);
  if (dequePush(d, job) != SUCCESS) { // out of memory for the deque: run both here
    JOINS = <usize>load<u32>(rec + SJ_JOIN_NEXT);
    runKernel(ka, da); runKernel(kb, db);
    return;
  }
  sleepNewJobs(regSleep(reg), 1, wasEmpty);
  runKernel(ka, da);
  // b is at the bottom of our deque unless a thief took it: everything a's joins pushed they
  // also popped, and thieves take the oldest job first.
  if (dequePop(d) == SUCCESS) {
    if (taken() == job) {
      store<u32>(rec + SJ_FAILED, 2); // not stolen: schedAbandon must not wait for its latch
      runKernel(kb, db);
    } else {
      dequePush(d, taken()); // not expected (above): leave it to whoever finds it
      schedJoinStolenCold(reg, w, rec);
    }
  } else {
    schedJoinStolenCold(reg, w, rec);
  }
  JOINS = <usize>load<u32>(rec + SJ_JOIN_NEXT);
}

function schedJoinStolenCold(reg: usize, w: u32, rec: usize): void {
  waitWasmCold(reg, w, regSlot(reg, w), rec + SJ_LATCH);
  // FAILED: written by the thief before it set the latch (SeqCst), read after we saw it set.
  if (load<u32>(rec + SJ_FAILED) != 0) unreachable(); // b trapped on its thief: so does this join
}

// ---- traps ----------------------------------------------------------------------------------

export function schedMarkTop(reg: usize, w: u32): usize { return <usize>load<u32>(regSlot(reg, w) + WS_TOP); }
export function schedMarkRunning(reg: usize, w: u32): usize { return <usize>load<u32>(regSlot(reg, w) + WS_RUNNING); }

/**
 * After a trap unwound the wasm frames above the marks taken before the job (header, Traps),
 * first call: drops what the unwound joins left in our deque — wasm jobs whose record lies above
 * the mark `top`. A JS job, or an older record, belongs to a live frame: put back, and stop.
 * (Thieves take the oldest job first, so a join waiting for its stolen b has nothing older of
 * its own left in the deque: every job still there is an unwound frame's.) Runs nothing, so it
 * cannot trap.
 */
export function schedAbandon(reg: usize, w: u32, top: usize): void {
  const d = regDeque(reg, w);
  while (dequePop(d) == SUCCESS) {
    const job = taken();
    if (jobIsJs(job) || <usize>jobLo(job) < top) { dequePush(d, job); break; }
    store<u32>(<usize>jobLo(job) + SJ_FAILED, 2); // dropped: nobody runs it (own record: plain)
  }
  setTaken(0);
}

/**
 * Then, one unwound frame per call, innermost first (returns 1; 0 once none is left above the
 * marks `top` / `running`, after resetting the job stack to `top`):
 *   - the innermost join in progress (JOINS, above `top`), if it is newer than the innermost
 *     stolen job we were running (its record lies at or above that job's RUN_TOP): unless its b
 *     was never stolen (FAILED 2), wait for b's latch — b's thief still writes it, and b's own
 *     joins still run on other workers until then;
 *   - otherwise the innermost stolen job we were running (RUNNING, down to `running`): fail it
 *     (FAILED 1 + latch set); its owner traps in turn.
 * The order is the order in which the frames would have finished without the trap, so a failed
 * job's latch is set only after everything it started is done (rayon: a panic unwinds through
 * each join, which waits for its b), and a wait never waits for something only a later step
 * of this same recovery would release: no two workers wait for each other.
 *
 * Nested traps. Waiting is waitWasmCold: it steals and runs other workers' wasm jobs meanwhile, as
 * every join wait does, and those may trap too (the trap test kernels nearly always do). That
 * trap unwinds this call to JS. Before every call JS notes the marks of the moment (WS_TOP, above
 * every record the recovery still uses, and WS_RUNNING); on a trap in here it recovers the inner
 * job with those marks, which brings JOINS / RUNNING / WS_TOP back to what they were when this
 * call began, and calls this again: JOINS advances only after the join's latch was seen, so the
 * same join is waited for again (a latch set meanwhile returns at once). The job stack is reset
 * only at the end, so the records still waited on are never reused, and stolen jobs run meanwhile
 * allocate above them. (This used to be one call: a nested trap escaped the JS worker loop, the
 * worker thread ended, the JS job whose error was being recorded never set its latch, and
 * `install` hung.)
 */
export function schedAbandonStep(reg: usize, w: u32, top: usize, running: usize): i32 {
  const s = regSlot(reg, w);
  const j = JOINS;
  const r = <usize>load<u32>(s + WS_RUNNING); // own slot: plain
  const joinLive = j != 0 && j >= top;
  const runLive = r != running && r != 0;
  // A join made while running r lies above r's RUN_TOP (thief-only field, written by us).
  if (joinLive && (!runLive || j >= <usize>load<u32>(r + SJ_RUN_TOP))) {
    if (load<u32>(j + SJ_FAILED) != 2) waitWasmCold(reg, w, s, j + SJ_LATCH); // may trap: above
    JOINS = <usize>load<u32>(j + SJ_JOIN_NEXT); // own record (JOIN_NEXT is owner-only): plain
    return 1;
  }
  if (runLive) {
    store<u32>(s + WS_RUNNING, load<u32>(r + SJ_RUN_NEXT)); // read before the set: then the owner may reuse it
    store<u32>(r + SJ_FAILED, 1);
    latchSet(r + SJ_LATCH);
    return 1;
  }
  store<u32>(s + WS_TOP, <u32>top); // the job stack back to the mark
  setTaken(0);
  return 0;
}
