// The worker side of the pool (ts/sched/pool.ts): the loop each pool thread runs, how a JS job
// runs and completes, trap recovery, work-first join on a worker, and how an outside thread
// injects a job and awaits its latch.
import { engine, views } from "../engine";
import { waitAsync } from "../keepalive";
import { decodeFromHeap, encodeToHeap } from "../codec";
import type { SharedHandle } from "../handle";
import { InvalidArgumentError, OutOfMemoryError, WeftError } from "../errors";
import {
  JR_LATCH, JR_PAYLOAD, JR_PAYLOAD_LEN, JR_RESULT, JR_RESULT_LEN, JR_RESULT_HANDLES, JR_STATUS,
  JR_SIZE, JS_OK, JS_ERROR, JS_DETACHED, compile, newRecord, dropRecord, sourceOf,
  takeResult, panicInfo, rebuildError,
} from "./record";

/** How long an outside waiter polls a latch before it sleeps on it (short jobs end in µs). */
const SPIN_MS = 0.1;

export type Fn = (...args: any[]) => unknown;
/** This thread's worker context, while it runs a pool's worker loop. */
export interface WorkerCtx { reg: number; w: number; n: number; }
let current: WorkerCtx | null = null;

/** This thread's worker context (null unless it runs a pool's worker loop). */
export function workerCtx(): WorkerCtx | null { return current; }

// ---- the worker side --------------------------------------------------------------------------

/** @internal The body of each pool worker thread (spawned by ThreadPool.create). */
export function __schedWorker(reg: number, w: number, n: number): void {
  const { x } = engine();
  if (current !== null) throw new WeftError("INVALID_ARGUMENT", "weft: a thread runs one pool worker loop at most");
  current = { reg, w, n };
  x.sched_enter(reg, w);
  try {
    for (;;) {
      const top = x.sched_mark_top(reg, w), running = x.sched_mark_running(reg, w);
      let j: number;
      try {
        j = x.sched_run(reg, w);
      } catch {
        // A wasm job trapped inside sched_run: its joiner learns it through the job's record
        // (schedAbandon fails it); this worker carries on.
        abandon(reg, w, top, running);
        continue;
      }
      if (j === 0) break;
      runJsJob(current, j);
    }
  } finally {
    x.sched_leave(reg);
    current = null;
  }
}

/**
 * After an exception out of wasm on worker `w` (a trap unwinds every wasm frame to JS): recovers
 * the joins in progress and the stolen jobs above the marks `top` / `running` taken before the
 * call, innermost first (assembly/sched/worker.ts, Traps). Never throws, so the worker loop and
 * the JS job being run always go on: their latch is set and their joiner sees the error.
 *
 * sched_abandon drops the queued jobs; it runs nothing and cannot trap. sched_abandon_step then
 * recovers one frame per call: it waits for a join's thief (running stolen wasm jobs meanwhile,
 * and those trap too) or fails a stolen job. A nested trap — the repeated-trap hang: it used to
 * escape from here, out of the worker loop, and the job whose error was being recorded never set
 * its latch — is recovered the same way with the marks taken just before that step, and the step
 * is retried (worker.ts schedAbandonStep). The nesting is bounded: each level is a trap of a job
 * stolen one level up.
 */
function abandon(reg: number, w: number, top: number, running: number): void {
  const { x } = engine();
  x.sched_abandon(reg, w, top);
  for (;;) {
    const innerTop = x.sched_mark_top(reg, w), innerRunning = x.sched_mark_running(reg, w);
    try {
      if (x.sched_abandon_step(reg, w, top, running) === 0) return;
    } catch {
      abandon(reg, w, innerTop, innerRunning);
    }
  }
}

/** Runs the JS job `rec` on this worker, publishes its result or error, sets its latch. Never throws. */
export function runJsJob(ctx: WorkerCtx, rec: number): void {
  const { x } = engine();
  const top = x.sched_mark_top(ctx.reg, ctx.w), running = x.sched_mark_running(ctx.reg, ctx.w);
  const argHandles: SharedHandle[] = [];
  let ok = true, value: unknown;
  try {
    const u = views().u32;
    const p = u[(rec + JR_PAYLOAD) >>> 2], len = u[(rec + JR_PAYLOAD_LEN) >>> 2];
    const [src, args] = decodeFromHeap(p, len, argHandles) as [string, unknown[]];
    x.heap_free(p);
    views().u32[(rec + JR_PAYLOAD) >>> 2] = 0;
    value = (compile(src) as Fn)(...args);
    if (value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function") {
      throw new InvalidArgumentError("a pool job must be synchronous: it returned a Promise");
    }
  } catch (e) {
    ok = false;
    value = panicInfo(e);
    // A trap unwound wasm frames of joins in progress: clean up after them (a no-op otherwise).
    abandon(ctx.reg, ctx.w, top, running);
  }
  for (const h of argHandles) h.drop();
  complete(rec, ok, value);
}

export function complete(rec: number, ok: boolean, value: unknown): void {
  const { x } = engine();
  if (views().u32[(rec + JR_STATUS) >>> 2] === JS_DETACHED) {
    // A detached spawn: nobody waits. Its error cannot be re-thrown anywhere: report it.
    if (!ok) console.error("weft: a job spawned in a pool failed:", rebuildError(value as { name: string; message: string; stack?: string }));
    x.heap_free(rec);
    return;
  }
  let enc;
  try {
    enc = encodeToHeap(value);
  } catch (e) {
    ok = false; // the result cannot cross threads: that is the job's error
    try { enc = encodeToHeap(panicInfo(e)); } catch { enc = null; }
  }
  const u = views().u32;
  if (enc) {
    u[(rec + JR_RESULT) >>> 2] = enc.ptr;
    u[(rec + JR_RESULT_LEN) >>> 2] = enc.len;
    u[(rec + JR_RESULT_HANDLES) >>> 2] = enc.handles > 0 ? 1 : 0;
  }
  u[(rec + JR_STATUS) >>> 2] = ok ? JS_OK : JS_ERROR;
  x.sched_latch_set(rec + JR_LATCH); // SeqCst: publishes RESULT / STATUS to the waiter
}

/**
 * Calls user code inline on worker `ctx` (join's sides, install and scope bodies on a worker).
 * If it throws, a trap may have unwound wasm joins in progress: clean up after them (as
 * runJsJob does) before the error goes on up, or their jobs would stay in this deque.
 */
export function callHere<T>(ctx: WorkerCtx, fn: Fn, args: unknown[]): T {
  const { x } = engine();
  const top = x.sched_mark_top(ctx.reg, ctx.w), running = x.sched_mark_running(ctx.reg, ctx.w);
  try {
    return fn(...args) as T;
  } catch (e) {
    abandon(ctx.reg, ctx.w, top, running);
    throw e;
  }
}

/** On worker `ctx`: waits for `rec`'s latch while running other jobs (JS ones here, wasm ones in sched_wait). */
export function helpUntil(ctx: WorkerCtx, rec: number): void {
  const { x } = engine();
  for (;;) {
    const top = x.sched_mark_top(ctx.reg, ctx.w), running = x.sched_mark_running(ctx.reg, ctx.w);
    let j: number;
    try {
      j = x.sched_wait(ctx.reg, ctx.w, rec + JR_LATCH);
    } catch {
      abandon(ctx.reg, ctx.w, top, running);
      continue;
    }
    if (j === 0) return;
    runJsJob(ctx, j);
  }
}

// ---- the outside side -------------------------------------------------------------------------

/** Outside the pool: awaits the LockLatch of `rec` (polls briefly, then Atomics.waitAsync). */
export async function awaitRecord(rec: number): Promise<unknown> {
  const { L } = engine();
  const idx = (rec + JR_LATCH) >>> 2;
  const until = performance.now() + SPIN_MS;
  for (let i = 1; ; i++) {
    const s = Atomics.load(views().i32, idx);
    if (s === L.LATCH_SET) return takeResult(rec);
    if ((i & 15) === 0 && performance.now() > until) break;
  }
  for (;;) {
    const i32 = views().i32;
    const s = Atomics.load(i32, idx);
    if (s === L.LATCH_SET) return takeResult(rec);
    // Announce a sleeper (latch.ts latchWait), so that the setter's xchg sees SLEEPING and wakes us.
    if (s !== L.LATCH_SLEEPING && Atomics.compareExchange(i32, idx, s, L.LATCH_SLEEPING) !== s) continue;
    await waitAsync(i32, idx, L.LATCH_SLEEPING, Infinity);
  }
}

export function inject(reg: number, rec: number, to = -1): void {
  const { x, L } = engine();
  const r = to < 0 ? x.sched_inject_js(reg, rec) : x.sched_inject_js_to(reg, to, rec);
  if (r !== L.SUCCESS) { dropRecord(rec); throw new OutOfMemoryError(JR_SIZE); }
}

/** Work-first join on worker `ctx` (rayon's join_context). */
export function joinHere(ctx: WorkerCtx, argsA: unknown[], fa: Fn, argsB: unknown[], fb: Fn): [unknown, unknown] {
  const { x, L } = engine();
  const rec = newRecord(ctx.reg, sourceOf(fb, "join"), argsB, ctx.w);
  if (x.sched_push_js(ctx.reg, ctx.w, rec) !== L.SUCCESS) {
    dropRecord(rec); // no room to share b: run both here, in order
    const va = callHere(ctx, fa, argsA);
    return [va, callHere(ctx, fb, argsB)];
  }
  let va: unknown, errA: unknown, failedA = false;
  try { va = callHere(ctx, fa, argsA); } catch (e) { failedA = true; errA = e; }
  let vb: unknown;
  if (x.sched_pop_js(ctx.reg, ctx.w, rec) !== 0) {
    dropRecord(rec); // still ours: run the closure itself (no decoding)
    try { vb = callHere(ctx, fb, argsB); } catch (e) { if (!failedA) throw e; }
  } else {
    helpUntil(ctx, rec); // stolen: help until the thief is done with it
    try { vb = takeResult(rec); } catch (e) { if (!failedA) throw e; }
  }
  if (failedA) throw errA;
  return [va, vb];
}

/** The scope handed to `pool.scope(f)`: `s.spawn(fn)` / `s.spawn(args, fn)`. */