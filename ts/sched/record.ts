// Job records of the pool (ts/sched/pool.ts): a JS job in the shared heap, how it is made,
// freed, and how its result or error comes back. Layout (offsets from the record):
//
//   0          24        28      32       36       40      44       48       52
//   +----------+---------+-------+--------+--------+-------+--------+--------+
//   | LATCH    | PAYLOAD | P_LEN | P_HNDL | RESULT | R_LEN | R_HNDL | STATUS |
//   +----------+---------+-------+--------+--------+-------+--------+--------+
//   (pool.ts's header says what each field holds and who writes it.)
import { engine, views } from "../engine";
import { compileSource } from "../compile";
import { encodeToHeap, decodeFromHeap, freeEncoded } from "../codec";
import { InvalidArgumentError, OutOfMemoryError } from "../errors";

export const JR_LATCH = 0;
export const JR_PAYLOAD = 24;
export const JR_PAYLOAD_LEN = 28;
export const JR_PAYLOAD_HANDLES = 32;
export const JR_RESULT = 36;
export const JR_RESULT_LEN = 40;
export const JR_RESULT_HANDLES = 44;
export const JR_STATUS = 48;
export const JR_SIZE = 56;
export const JS_PENDING = 0, JS_OK = 1, JS_ERROR = 2, JS_DETACHED = 3;

/** A pool job's function from its source (compiled once per thread). */
export function compile(src: string): Function { return compileSource(src, "pool job"); }

export function sourceOf(fn: unknown, what: string): string {
  if (typeof fn !== "function") throw new InvalidArgumentError(`${what}: expected a function`);
  const src = Function.prototype.toString.call(fn);
  if (src.endsWith("{ [native code] }")) throw new InvalidArgumentError(`${what}: native functions cannot be sent to a worker`);
  return src;
}

// ---- job records ------------------------------------------------------------------------------

/** A job record for `fn(...args)`; its latch waited by `waiter` (worker index) or from outside (-1). */
export function newRecord(reg: number, src: string, args: unknown[], waiter: number): number {
  const { x } = engine();
  const enc = encodeToHeap([src, args]);
  const rec = x.heap_alloc(JR_SIZE);
  if (rec === 0) { freeEncoded(enc.ptr, enc.len, enc.handles > 0); throw new OutOfMemoryError(JR_SIZE); }
  // The latch: REGISTRY = the pool's sleep registry for a waiting worker (sched_latch_init_spin).
  if (waiter >= 0) x.sched_latch_init_spin(rec + JR_LATCH, reg, waiter);
  else x.sched_latch_init(rec + JR_LATCH, 0, 0, 0);
  const V = views();
  const u = V.u32;
  u[(rec + JR_PAYLOAD) >>> 2] = enc.ptr;
  u[(rec + JR_PAYLOAD_LEN) >>> 2] = enc.len;
  u[(rec + JR_PAYLOAD_HANDLES) >>> 2] = enc.handles > 0 ? 1 : 0;
  u[(rec + JR_RESULT) >>> 2] = 0;
  u[(rec + JR_RESULT_LEN) >>> 2] = 0;
  u[(rec + JR_RESULT_HANDLES) >>> 2] = 0;
  u[(rec + JR_STATUS) >>> 2] = JS_PENDING;
  return rec; // plain stores: published by the SeqCst push / inject that follows
}

/** Frees a record never run (its payload too). */
export function dropRecord(rec: number): void {
  const { x } = engine();
  const u = views().u32;
  const p = u[(rec + JR_PAYLOAD) >>> 2];
  if (p !== 0) freeEncoded(p, u[(rec + JR_PAYLOAD_LEN) >>> 2], u[(rec + JR_PAYLOAD_HANDLES) >>> 2] !== 0);
  x.heap_free(rec);
}

export function panicInfo(e: unknown): { name: string; message: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: "Error", message: String(e) };
}

const errorClasses: Record<string, new (m: string) => Error> = {
  Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError,
};
/** The job's error rebuilt with its original name, message and stack (a built-in class when it was one). */
export function rebuildError(info: { name: string; message: string; stack?: string }): Error {
  const C = errorClasses[info.name] ?? Error;
  const e = new C(info.message);
  if (e.name !== info.name) Object.defineProperty(e, "name", { value: info.name, configurable: true, writable: true });
  if (info.stack !== undefined) e.stack = info.stack;
  return e;
}

/** Takes the result out of a finished record and frees it: the value, or throws the job's error. */
export function takeResult(rec: number): unknown {
  const { x } = engine();
  const u = views().u32;
  const status = u[(rec + JR_STATUS) >>> 2];
  const p = u[(rec + JR_RESULT) >>> 2], n = u[(rec + JR_RESULT_LEN) >>> 2];
  let value: unknown;
  if (p !== 0) { value = decodeFromHeap(p, n); x.heap_free(p); }
  x.heap_free(rec);
  if (status === JS_OK) return value;
  const info = (value ?? { name: "Error", message: "the job failed; its error could not be recorded (out of shared memory)" });
  throw rebuildError(info as { name: string; message: string; stack?: string });
}
