// rayon's ThreadPool, join and scope over the work-stealing scheduler of assembly/sched/.
//
// A pool is a registry in the shared heap (assembly/sched/registry.ts) plus N long-running weft
// threads spawned through the ordinary spawn path, each running the worker loop
//
//   for (;;) { const j = x.sched_run(reg, w); if (j === 0) break; runJsJob(j); }
//
// sched_run finds work in wasm (own deque, the worker's broadcast inbox, steals, the injector,
// the sleep protocol) and runs wasm jobs (built-in kernels) itself; it comes back to JS only for
// a JS job. A JS job is a record in the shared heap:
//
//   0          24        28      32       36       40      44       48       52
//   +----------+---------+-------+--------+--------+-------+--------+--------+
//   | LATCH    | PAYLOAD | P_LEN | P_HNDL | RESULT | R_LEN | R_HNDL | STATUS |
//   +----------+---------+-------+--------+--------+-------+--------+--------+
//   LATCH    assembly/sched/latch.ts: a LockLatch (REGISTRY 0) when a thread outside the pool
//            waits (Atomics.waitAsync on STATE), a SpinLatch of worker w when w waits while
//            stealing (sched_wait)
//   PAYLOAD  encodeToHeap([source, args]) — the function travels as source, like spawn's
//   RESULT   encodeToHeap(value), or of { name, message, stack } when the job threw
//   STATUS   JS_OK / JS_ERROR (written by the runner before it sets the latch), or JS_DETACHED
//            (written by the spawner before the push: nobody waits; the runner frees it)
//
// Outside the pool every operation is async (the caller injects and awaits the latch); on a
// worker of the same pool they are synchronous and work-first (join pushes b, runs a inline, pops
// b back or helps until b's latch is set), as `join` inside a worker is in shared/API.md.
//
// Files: this one (ThreadPool, PoolScope, the default pool, weft.join), worker.ts (the worker
// loop, running and completing JS jobs, trap recovery, work-first join, injecting from outside),
// record.ts (the job record: make, free, take the result), par.ts (parallel iterators).
import { engine, engineOrNull, views } from "../engine";
import { notSend } from "../codec";
import { spawn, JoinHandle } from "../thread/spawn";
import { waitAsync } from "../keepalive";
import { InvalidArgumentError, OutOfMemoryError, WeftError } from "../errors";
import { stats, availableParallelism } from "../init";
import { JR_SIZE, JR_STATUS, JS_DETACHED, newRecord, dropRecord, sourceOf, takeResult } from "./record";
import { Fn, WorkerCtx, workerCtx, callHere, inject, awaitRecord, helpUntil, joinHere, runJsJob } from "./worker";

/** The engine's worker count (main thread), else the machine's parallelism (rayon's default). */
function defaultThreads(): number {
  const n = stats().workers;
  return n > 0 ? n : Math.max(1, availableParallelism());
}

// ---- the pool ---------------------------------------------------------------------------------

export interface ThreadPoolOptions { threads?: number; }

const livePools = new Set<ThreadPool>();
let poolCount = 0;

/** Arguments: `fn` or `(args, fn)`, as spawn. */
function splitCall(a: unknown, b: unknown, what: string): [unknown[], Fn] {
  if (Array.isArray(a)) {
    if (typeof b !== "function") throw new InvalidArgumentError(`${what}(args, fn): fn must be a function`);
    return [a, b as Fn];
  }
  if (typeof a !== "function") throw new InvalidArgumentError(`${what}: expected (fn) or (args, fn)`);
  return [[], a as Fn];
}

/**
 * rayon's ThreadPool: `threads` workers stealing each other's jobs. Functions sent to it travel as
 * source (like spawn's) and see the API as `globalThis.weft`; from outside the pool every call
 * returns a Promise, on one of its own workers the same calls run synchronously (work-first).
 */
export class ThreadPool {
  readonly #reg: number;
  readonly #threads: number;
  readonly #workers: JoinHandle<void>[] = [];
  #closing: Promise<void> | null = null;
  /** The engine this pool lives in (a pool dies with its engine). */
  readonly #memory: WebAssembly.Memory;

  /** @internal */
  constructor(reg: number, threads: number, workers: JoinHandle<void>[] | null) {
    this.#reg = reg;
    this.#threads = threads;
    this.#memory = engine().memory;
    if (workers) this.#workers.push(...workers);
  }

  /** Starts a pool of `threads` workers (default: the engine's worker count). */
  static create(opts: ThreadPoolOptions = {}): ThreadPool {
    const { x, L } = engine();
    const threads = opts.threads ?? defaultThreads();
    // At most one worker thread per engine worker (agent 1 is the main thread): a pool worker
    // that never got a thread would leave its broadcast jobs waiting forever.
    const max = Math.min(L.RG_MAX_WORKERS, L.MAX_AGENTS - 1);
    if (!Number.isInteger(threads) || threads < 1 || threads > max) {
      throw new InvalidArgumentError(`ThreadPool.create: threads must be an integer in 1..${max}`);
    }
    const reg = x.sched_registry_new(threads);
    if (reg === 0) throw new OutOfMemoryError(threads * 65536);
    const id = ++poolCount;
    const workers: JoinHandle<void>[] = [];
    try {
      for (let w = 0; w < threads; w++) {
        workers.push(spawn([reg, w, threads], (r: number, i: number, n: number) => {
          (globalThis as unknown as { weft: { __schedWorker(r: number, i: number, n: number): void } }).weft.__schedWorker(r, i, n);
        }, { name: `weft-pool-${id}-${w}` }) as JoinHandle<void>);
      }
    } catch (e) {
      // Workers already started leave at once (terminate), then the registry goes.
      x.sched_terminate(reg);
      void Promise.allSettled(workers.map((h) => h.join())).then(() => x.sched_registry_free(reg));
      throw e;
    }
    const pool = new ThreadPool(reg, threads, workers);
    livePools.add(pool);
    return pool;
  }

  /** The pool whose worker runs the calling code, or null (rayon: `current_num_threads` etc. through it). */
  static current(): ThreadPool | null {
    const ctx = workerCtx();
    return ctx === null ? null : new ThreadPool(ctx.reg, ctx.n, null);
  }

  /** The index of the calling worker in its pool, or null outside a pool (rayon's current_thread_index). */
  static currentThreadIndex(): number | null { return workerCtx()?.w ?? null; }

  /** Number of workers (rayon's current_num_threads). */
  get threads(): number { return this.#threads; }

  #here(): WorkerCtx | null {
    const ctx = workerCtx();
    return ctx !== null && ctx.reg === this.#reg ? ctx : null;
  }
  #check(what: string): void {
    if (engineOrNull()?.memory !== this.#memory) throw new WeftError("NOT_INITIALIZED", `${what}: the pool's engine is shut down`);
    if (this.#closing !== null && this.#here() === null) throw new InvalidArgumentError(`${what}: the pool is shut down`);
  }

  /** Runs `fn(...args)` in the pool and gives its result (inline when called on one of its workers). */
  install<R>(fn: () => R): Promise<R>;
  install<const A extends unknown[], R>(args: A, fn: (...args: A) => R): Promise<R>;
  install(a: unknown, b?: unknown): unknown {
    this.#check("ThreadPool.install");
    const [args, fn] = splitCall(a, b, "ThreadPool.install");
    const here = this.#here();
    if (here !== null) return callHere(here, fn, args);
    const rec = newRecord(this.#reg, sourceOf(fn, "ThreadPool.install"), args, -1);
    inject(this.#reg, rec);
    return awaitRecord(rec);
  }

  /**
   * Queues `fn(...args)` to run in the pool. From outside: a Promise of its result (rayon's spawn
   * returns nothing; the Promise may be ignored). On a worker: detached, like rayon's (an error
   * is reported with console.error).
   */
  spawn<R>(fn: () => R): Promise<R>;
  spawn<const A extends unknown[], R>(args: A, fn: (...args: A) => R): Promise<R>;
  spawn(a: unknown, b?: unknown): Promise<unknown> | void {
    this.#check("ThreadPool.spawn");
    const [args, fn] = splitCall(a, b, "ThreadPool.spawn");
    const src = sourceOf(fn, "ThreadPool.spawn");
    const here = this.#here();
    if (here !== null) {
      const rec = newRecord(this.#reg, src, args, -1);
      views().u32[(rec + JR_STATUS) >>> 2] = JS_DETACHED;
      if (engine().x.sched_push_js(this.#reg, here.w, rec) !== engine().L.SUCCESS) {
        dropRecord(rec);
        throw new OutOfMemoryError(JR_SIZE);
      }
      return;
    }
    const rec = newRecord(this.#reg, src, args, -1);
    inject(this.#reg, rec);
    return awaitRecord(rec);
  }

  /** Runs `fn(index)` once on every worker; the results in worker order. */
  broadcast<R>(fn: (index: number) => R): Promise<R[]> {
    this.#check("ThreadPool.broadcast");
    const src = sourceOf(fn, "ThreadPool.broadcast");
    const here = this.#here();
    const recs: number[] = [];
    try {
      for (let w = 0; w < this.#threads; w++) {
        const rec = newRecord(this.#reg, src, [w], here !== null ? here.w : -1);
        recs.push(rec);
        inject(this.#reg, rec, w);
      }
    } catch (e) {
      // Jobs already queued run; their records are collected below, then the error is thrown.
      recs.pop();
      if (here !== null) { for (const r of recs) { helpUntil(here, r); try { takeResult(r); } catch { /* the error above wins */ } } throw e; }
      return Promise.allSettled(recs.map(awaitRecord)).then(() => { throw e; });
    }
    if (here !== null) {
      for (const r of recs) helpUntil(here, r);
      return collect(recs.map((r) => () => takeResult(r))) as unknown as Promise<R[]>; // synchronous here
    }
    return Promise.allSettled(recs.map(awaitRecord)).then(settledValues) as Promise<R[]>;
  }

  /**
   * rayon's join: runs `a` and `b`, potentially in parallel; both complete before it returns,
   * then a's error (or else b's) is thrown. On a worker of this pool: synchronous, work-first
   * (b is queued for thieves, a runs inline, b runs inline unless stolen). From outside: both
   * are queued and a Promise of `[A, B]` is returned. `b` (and from outside also `a`) must be
   * self-contained: it may run on another worker, from its source text.
   */
  join<A, B>(a: () => A, b: () => B): Promise<[A, B]>;
  join<const AA extends unknown[], A, const BA extends unknown[], B>(argsA: AA, a: (...args: AA) => A, argsB: BA, b: (...args: BA) => B): Promise<[A, B]>;
  join(p: unknown, q: unknown, r?: unknown, s?: unknown): unknown {
    this.#check("ThreadPool.join");
    let argsA: unknown[], fa: Fn, argsB: unknown[], fb: Fn;
    if (typeof p === "function") {
      if (typeof q !== "function") throw new InvalidArgumentError("join(a, b): b must be a function");
      argsA = []; fa = p as Fn; argsB = []; fb = q as Fn;
    } else {
      if (!Array.isArray(p) || typeof q !== "function" || !Array.isArray(r) || typeof s !== "function") {
        throw new InvalidArgumentError("join: expected (a, b) or (argsA, a, argsB, b)");
      }
      argsA = p; fa = q as Fn; argsB = r; fb = s as Fn;
    }
    const here = this.#here();
    if (here !== null) return joinHere(here, argsA, fa, argsB, fb);
    const ra = newRecord(this.#reg, sourceOf(fa, "join"), argsA, -1);
    let rb: number;
    try { rb = newRecord(this.#reg, sourceOf(fb, "join"), argsB, -1); } catch (e) { dropRecord(ra); throw e; }
    try { inject(this.#reg, ra); } catch (e) { dropRecord(rb); throw e; }
    try { inject(this.#reg, rb); } catch (e) { return awaitRecord(ra).then(() => { throw e; }, () => { throw e; }); }
    return Promise.allSettled([awaitRecord(ra), awaitRecord(rb)]).then(settledValues);
  }

  /**
   * rayon's scope: `f(s)` may `s.spawn(fn, args?)` jobs; all of them finish before the scope
   * returns, then the first error (f's, else the first failed job's) is thrown. Outside the pool
   * f runs on the calling thread and the scope is a Promise; on a worker it is synchronous.
   */
  scope<R>(f: (s: PoolScope) => R): Promise<Awaited<R>> {
    this.#check("ThreadPool.scope");
    if (typeof f !== "function") throw new InvalidArgumentError("ThreadPool.scope: expected a function");
    const here = this.#here();
    const s = new PoolScope(this.#reg, here);
    if (here !== null) {
      let result: R | undefined, failure: unknown, failed = false;
      try { result = callHere(here, f as Fn, [s]); } catch (e) { failed = true; failure = e; }
      const errs = s.finishHere(here);
      if (failed) throw failure;
      if (errs.length > 0) throw errs[0];
      return result as unknown as Promise<Awaited<R>>; // synchronous on a worker (class comment)
    }
    return (async (): Promise<Awaited<R>> => {
      let result: Awaited<R> | undefined, failure: unknown, failed = false;
      try { result = await f(s); } catch (e) { failed = true; failure = e; }
      s.closed = true;
      const settled = await Promise.allSettled(s.records.map(awaitRecord));
      if (failed) throw failure;
      const bad = settled.find((x) => x.status === "rejected") as PromiseRejectedResult | undefined;
      if (bad) throw bad.reason;
      return result as Awaited<R>;
    })();
  }

  /**
   * Stops the workers once the queued jobs are done and frees the pool (rayon: dropping the
   * ThreadPool, but awaitable). Idempotent. Not from one of the pool's own workers.
   */
  shutdown(): Promise<void> {
    if (this.#here() !== null) throw new InvalidArgumentError("ThreadPool.shutdown: called from one of its own workers (it would wait for itself)");
    if (this.#workers.length === 0) throw new InvalidArgumentError("ThreadPool.shutdown: only the thread that created the pool shuts it down");
    if (this.#closing === null) {
      const { x } = engine();
      x.sched_terminate(this.#reg);
      livePools.delete(this);
      this.#closing = Promise.allSettled(this.#workers.map((h) => h.join())).then(() => {
        if (engineOrNull()?.memory === this.#memory) x.sched_registry_free(this.#reg);
      });
    }
    return this.#closing;
  }
  [Symbol.asyncDispose](): Promise<void> { return this.shutdown(); }
}
// A pool object belongs to the thread that made it: inside a pool, a job reaches its pool through
// ThreadPool.current().
notSend(ThreadPool, "ThreadPool");

function settledValues(s: PromiseSettledResult<unknown>[]): unknown[] {
  const bad = s.find((x) => x.status === "rejected") as PromiseRejectedResult | undefined;
  if (bad) throw bad.reason;
  return s.map((x) => (x as PromiseFulfilledResult<unknown>).value);
}

/** Runs every taker (all records get freed), then throws the first error. */
function collect(takers: (() => unknown)[]): unknown[] {
  const out: unknown[] = [];
  let err: unknown, failed = false;
  for (const t of takers) {
    try { out.push(t()); } catch (e) { if (!failed) { failed = true; err = e; } }
  }
  if (failed) throw err;
  return out;
}

export class PoolScope {
  /** @internal */ readonly records: number[] = [];
  /** @internal */ closed = false;
  readonly #reg: number;
  readonly #here: WorkerCtx | null;
  /** @internal */
  constructor(reg: number, here: WorkerCtx | null) { this.#reg = reg; this.#here = here; }

  spawn<R>(fn: () => R): void;
  spawn<const A extends unknown[], R>(args: A, fn: (...args: A) => R): void;
  spawn(a: unknown, b?: unknown): void {
    if (this.closed) throw new InvalidArgumentError("PoolScope.spawn: the scope has ended");
    const [args, fn] = splitCall(a, b, "PoolScope.spawn");
    const src = sourceOf(fn, "PoolScope.spawn");
    if (this.#here !== null) {
      const { x, L } = engine();
      const rec = newRecord(this.#reg, src, args, this.#here.w);
      if (x.sched_push_js(this.#reg, this.#here.w, rec) !== L.SUCCESS) { dropRecord(rec); throw new OutOfMemoryError(JR_SIZE); }
      this.records.push(rec);
      return;
    }
    const rec = newRecord(this.#reg, src, args, -1);
    inject(this.#reg, rec);
    this.records.push(rec);
  }

  /** @internal On a worker: runs or waits for every spawned job (newest first, as the deque pops). */
  finishHere(ctx: WorkerCtx): unknown[] {
    this.closed = true;
    const errs: unknown[] = [];
    for (let i = this.records.length - 1; i >= 0; i--) {
      const rec = this.records[i];
      if (engine().x.sched_pop_js(ctx.reg, ctx.w, rec) !== 0) runJsJob(ctx, rec);
      else helpUntil(ctx, rec);
      try { takeResult(rec); } catch (e) { errs.push(e); }
    }
    return errs.reverse();
  }
}

// ---- the default pool and the free functions ----------------------------------------------------

let defaultPool: ThreadPool | null = null;
let defaultMemory: WebAssembly.Memory | null = null;

/** The pool `join` uses outside any pool: created on first use with the engine's worker count. */
export function getDefaultPool(): ThreadPool {
  const e = engine();
  if (defaultPool === null || defaultMemory !== e.memory) {
    defaultPool = ThreadPool.create();
    defaultMemory = e.memory;
  }
  return defaultPool;
}

/**
 * rayon::join: on a pool worker, joins in that worker's pool (synchronously, work-first);
 * elsewhere in the default pool (a Promise of `[A, B]`).
 */
export function join<A, B>(a: () => A, b: () => B): Promise<[A, B]>;
export function join<const AA extends unknown[], A, const BA extends unknown[], B>(argsA: AA, a: (...args: AA) => A, argsB: BA, b: (...args: BA) => B): Promise<[A, B]>;
export function join(p: unknown, q: unknown, r?: unknown, s?: unknown): unknown {
  const pool = ThreadPool.current() ?? getDefaultPool();
  return (pool.join as (p: unknown, q: unknown, r?: unknown, s?: unknown) => unknown)(p, q, r, s);
}

/** @internal weft.shutdown: stops every pool this thread created (the default one too). */
export async function shutdownPools(): Promise<void> {
  const pools = [...livePools];
  livePools.clear();
  defaultPool = null;
  defaultMemory = null;
  await Promise.allSettled(pools.map((p) => p.shutdown()));
}
