// std::thread::spawn / JoinHandle / scope.
//
// spawn encodes [kind, source | module, export, args] into the heap, makes a task object (with a
// fresh ThreadId) and hands it to an idle worker through its agent mailbox (engine/dispatch.ts);
// if none is idle, a new worker is started for it (Rust's spawn always gets a thread). The worker
// writes the result or the panic info into the task and wakes the joiner on the STATE word.
//
// Task references: the JoinHandle (its Thread) holds one, the running worker another.
import { engine, engineOrNull, views } from "../engine";
import { adopt, genOf, releaseRef } from "../handle";
import { encodeToHeap, decodeFromHeap, freeEncoded, notSend } from "../codec";
import {
  ThreadPanic, OutOfMemoryError, InvalidArgumentError, checkTimeout, TimeoutError, MainThreadBlockError,
} from "../errors";
import { Thread, setTaskDestructor } from "./thread";
import { waitAsync } from "../keepalive";

export interface SpawnOptions { name?: string; }
export interface ModuleTask<A extends unknown[]> {
  module: URL | string;
  export?: string;
  args?: A;
  name?: string;
}

/** Task kinds in the payload. */
export const enum TaskKind { Inline = 0, Module = 1 }

/** How a task reaches a worker: set by the pool (main) or the worker runtime. */
let dispatch: (task: number) => void = () => { throw new Error("weft: not initialised"); };
export function setDispatcher(d: (task: number) => void): void { dispatch = d; }

const utf8 = new TextEncoder();
/** How long a joiner polls before it sleeps. */
const SPIN_MS = 0.2;

/** Spawns a thread running `fn(...args)`. `fn` must be self-contained: it is sent as source. */
export function spawn<const A extends unknown[], R>(args: A, fn: (...args: A) => R, opts?: SpawnOptions): JoinHandle<Awaited<R>>;
export function spawn<R>(fn: () => R, opts?: SpawnOptions): JoinHandle<Awaited<R>>;
export function spawn<A extends unknown[], R>(task: ModuleTask<A>): JoinHandle<R>;
export function spawn(a: unknown, b?: unknown, c?: unknown): JoinHandle<unknown> {
  if (typeof a === "function") return spawnInline([], a, b as SpawnOptions | undefined);
  if (Array.isArray(a)) {
    if (typeof b !== "function") throw new InvalidArgumentError("spawn(args, fn): fn must be a function");
    return spawnInline(a, b, c as SpawnOptions | undefined);
  }
  if (a !== null && typeof a === "object" && "module" in a) {
    const t = a as ModuleTask<unknown[]>;
    const url = moduleUrl(t.module);
    if (t.args !== undefined && !Array.isArray(t.args)) throw new InvalidArgumentError("spawn({ args }): args must be an array");
    return start([TaskKind.Module, url, t.export ?? "default", t.args ?? []], t.name);
  }
  throw new InvalidArgumentError("spawn: expected (fn), (args, fn) or ({ module, export, args })");
}

/** A module specifier every thread resolves the same way: an absolute URL (or absolute path). */
function moduleUrl(m: unknown): string {
  if (m instanceof URL) return m.href;
  if (typeof m === "string") {
    if (m.startsWith("/")) return new URL(`file://${m}`).href;
    try { return new URL(m).href; } catch { /* relative: refused below */ }
  }
  throw new InvalidArgumentError(
    `spawn({ module }): expected a URL or an absolute path, got ${JSON.stringify(String(m))} ` +
    `(threads resolve modules from weft's own location: use new URL("./task.js", import.meta.url))`);
}

function spawnInline(args: unknown[], fn: Function, opts?: SpawnOptions): JoinHandle<unknown> {
  const src = Function.prototype.toString.call(fn);
  if (src.endsWith("{ [native code] }")) throw new InvalidArgumentError("spawn: native functions cannot be sent to a thread");
  return start([TaskKind.Inline, src, "", args], opts?.name);
}

function start(payload: unknown[], name: string | undefined): JoinHandle<unknown> {
  if (name !== undefined && typeof name !== "string") throw new InvalidArgumentError("spawn: name must be a string");
  const { x, L } = engine();
  const enc = encodeToHeap(payload);
  const task = x.task_new();
  if (task === 0) { freeEncoded(enc.ptr, enc.len, enc.handles > 0); throw new OutOfMemoryError(L.TASK_SIZE); }
  let V = views();
  V.u32[(task + L.T_PAYLOAD) >>> 2] = enc.ptr;
  V.u32[(task + L.T_PAYLOAD_LEN) >>> 2] = enc.len;
  V.u32[(task + L.O_AUX) >>> 2] = enc.handles > 0 ? 1 : 0;
  if (name !== undefined) {
    const bytes = utf8.encode(name);
    const p = x.heap_alloc(Math.max(bytes.length, 1));
    if (p !== 0) {
      V = views();
      V.u8.set(bytes, p);
      V.u32[(task + L.T_NAME) >>> 2] = p;
      V.u32[(task + L.T_NAME_LEN) >>> 2] = bytes.length;
    }
  }
  x.obj_retain(task); // the runner's reference (the JoinHandle has the creation one)
  const thread = adopt({ ptr: task, gen: genOf(task) }, () => new Thread());
  try {
    dispatch(task);
  } catch (e) {
    releaseRef(task); // the runner never got it
    thread.drop();
    throw e;
  }
  return new JoinHandle(thread);
}

/** Frees what a task object owns (payload if never run, result if never joined, name). */
setTaskDestructor((task) => {
  const { x, L } = engine();
  const V = views();
  const w = (o: number) => V.u32[(task + o) >>> 2];
  if (w(L.T_PAYLOAD) !== 0) freeEncoded(w(L.T_PAYLOAD), w(L.T_PAYLOAD_LEN), w(L.O_AUX) !== 0);
  if (w(L.T_RESULT) !== 0) freeEncoded(w(L.T_RESULT), w(L.T_RESULT_LEN), w(L.T_RESULT_HANDLES) !== 0);
  if (w(L.T_NAME) !== 0) x.heap_free(w(L.T_NAME));
});

// JoinHandles forgotten unjoined are detached when collected, so their task can be freed.
const detacher = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<{ task: number; memory: WebAssembly.Memory }>(({ task, memory }) => {
    if (engineOrNull()?.memory === memory) detachTask(task);
  })
  : null;

/**
 * Gives up the right to the result. The runner's reference goes to whichever side comes second:
 * if the thread already finished, released here; otherwise the runner releases it at the end.
 */
function detachTask(task: number): void {
  const { L } = engine();
  const old = Atomics.or(views().i32, (task + L.T_STATE) >>> 2, L.TASK_DETACHED);
  if ((old & ~L.TASK_DETACHED) >= L.TASK_OK) releaseRef(task);
}

/**
 * Owns the right to join a spawned thread. Bound to the spawning thread. Holds, besides its
 * Thread's reference, the reference the runner hands over when it finishes (see worker/loop.ts).
 */
export class JoinHandle<T> {
  readonly thread: Thread;
  #joined: Promise<T> | null = null;

  /** @internal */
  constructor(thread: Thread) {
    this.thread = thread;
    detacher?.register(this, { task: thread.ptr, memory: engine().memory }, this);
  }

  /** Detaches the thread (Rust: dropping the JoinHandle): it runs on, its result is discarded. */
  drop(): void {
    if (this.thread.isDropped || this.#joined !== null) return;
    detacher?.unregister(this);
    detachTask(this.thread.ptr);
    this.thread.drop();
  }
  [Symbol.dispose](): void { this.drop(); }

  /** Whether the thread has finished (joined or not). */
  isFinished(): boolean {
    return this.thread.isDropped || this.#state() >= engine().L.TASK_OK;
  }

  /** Waits for the thread without blocking: its return value, or rejects with ThreadPanic. */
  join(): Promise<T> {
    if (this.#joined === null) this.#joined = this.#joinAsync();
    return this.#joined;
  }

  /** Blocks until the thread ends (workers; Node's main thread). */
  joinSync(): T { return this.joinTimeout(Infinity); }

  /** Blocks at most `ms`; throws TimeoutError if the thread is still running (it keeps running). */
  joinTimeout(ms: number): T {
    checkTimeout(ms, "JoinHandle.joinTimeout");
    if (this.#joined !== null) throw new InvalidArgumentError("JoinHandle: already joined");
    const e = engine();
    if (!e.canBlock && !this.isFinished()) throw new MainThreadBlockError("JoinHandle.joinSync", "join()");
    const deadline = performance.now() + ms;
    const idx = (this.thread.ptr + e.L.T_STATE) >>> 2;
    this.#spin(SPIN_MS);
    for (let s = this.#state(); s < e.L.TASK_OK; s = this.#state()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new TimeoutError("JoinHandle.joinTimeout", ms);
      Atomics.wait(views().i32, idx, s, left);
    }
    const v = this.#take();
    this.#joined = Promise.resolve(v);
    return v;
  }

  /** Short tasks finish within microseconds: poll briefly before sleeping (futex or event loop). */
  #spin(ms: number): number {
    const done = engine().L.TASK_OK;
    let s = this.#state();
    if (s >= done) return s;
    const until = performance.now() + ms;
    for (let i = 1; s < done; i++) {
      if ((i & 15) === 0 && performance.now() > until) break;
      s = this.#state();
    }
    return s;
  }

  #state(): number {
    return Atomics.load(views().i32, (this.thread.ptr + engine().L.T_STATE) >>> 2);
  }

  async #joinAsync(): Promise<T> {
    const { L } = engine();
    const idx = (this.thread.ptr + L.T_STATE) >>> 2;
    let s = this.#spin(SPIN_MS);
    while (s < L.TASK_OK) {
      await waitAsync(views().i32, idx, s, Infinity);
      s = this.#state();
    }
    return this.#take();
  }

  /** Takes the result out of the finished task and drops the handle's reference. */
  #take(): T {
    const { x, L } = engine();
    const task = this.thread.ptr;
    const V = views();
    const st = Atomics.load(V.i32, (task + L.T_STATE) >>> 2);
    const p = V.u32[(task + L.T_RESULT) >>> 2], n = V.u32[(task + L.T_RESULT_LEN) >>> 2];
    const id = this.thread.id, name = this.thread.name;
    let value: unknown = undefined;
    if (p !== 0) {
      value = decodeFromHeap(p, n); // handles inside adopt the result's references
      x.heap_free(p);
      V.u32[(task + L.T_RESULT) >>> 2] = 0;
    }
    detacher?.unregister(this);
    releaseRef(task); // the reference the runner handed over
    this.thread.drop();
    if (st === L.TASK_OK) return value as T;
    if (st === L.TASK_LOST) throw new ThreadPanic({ name: "WorkerLost", message: "the worker running this thread died" }, id, name);
    // No panic info when even it could not be stored (the heap was exhausted at that moment).
    const info = (value ?? { name: "Error", message: "the thread panicked; its error could not be recorded (out of shared memory)" });
    throw new ThreadPanic(info as { name: string; message: string; stack?: string }, id, name);
  }
}

notSend(JoinHandle, "JoinHandle");

/** A scope whose threads are all joined before `scope()` resolves (std::thread::scope). */
export class Scope {
  readonly #handles: JoinHandle<unknown>[] = [];
  spawn<A extends unknown[], R>(args: A, fn: (...args: A) => R, opts?: SpawnOptions): JoinHandle<Awaited<R>>;
  spawn<R>(fn: () => R, opts?: SpawnOptions): JoinHandle<Awaited<R>>;
  spawn(a: unknown, b?: unknown, c?: unknown): JoinHandle<unknown> {
    const h = (spawn as (a: unknown, b?: unknown, c?: unknown) => JoinHandle<unknown>)(a, b, c);
    this.#handles.push(h);
    return h;
  }
  /** @internal */ get handles(): JoinHandle<unknown>[] { return this.#handles; }
}

/**
 * Runs `f` with a Scope, then joins every thread spawned in it. Resolves with f's result; if f
 * threw or any scoped thread panicked, rejects with that error once all threads are joined.
 */
export async function scope<R>(f: (s: Scope) => R | Promise<R>): Promise<R> {
  const s = new Scope();
  let result: R | undefined, failure: unknown, failed = false;
  try { result = await f(s); } catch (e) { failure = e; failed = true; }
  const settled = await Promise.allSettled(s.handles.map((h) => h.join()));
  if (failed) throw failure;
  const panic = settled.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
  if (panic) throw panic.reason;
  return result as R;
}
