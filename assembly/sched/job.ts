// Job references: what the scheduler's queues (deque.ts, injector.ts) carry.
//
// A job reference is one u64, handed around as two u32 words (HI, LO) so that it fits a deque
// slot, crosses the ABI without BigInt, and names either kind of job:
//
//   HI (u32)                                              LO (u32)
//   31  30 ........ 24  23 ......................... 0    31 .......................... 0
//   +---+--------------+-----------------------------+   +------------------------------+
//   | 0 | module (7 b) | function table index (24 b) |   | data pointer (shared heap)   |   wasm job
//   +---+--------------+-----------------------------+   +------------------------------+
//   | 1 | aux (31 bits, the pool's: e.g. pool number) |   | job id (the pool's JS table) |   JS job
//   +---+--------------------------------------------+   +------------------------------+
//
// * A wasm job is `fn(data)`: the function's index in a function table and one pointer to its
//   arguments / result / latch in the shared heap. `module` says whose table: 0 is the engine's
//   own (its built-in kernels; `jobRunWasm` below calls it), 1..127 a user kernel module the pool
//   has instantiated in every worker (the pool calls that module's table itself: a table index
//   means nothing in another module).
// * A JS job is an id into a table the pool keeps in each worker (or encoded in the heap): the
//   scheduler never looks inside it, the pool's worker loop runs it.
// The scheduler itself treats a reference as an opaque u64: no value is reserved, results come
// back as codes (SUCCESS / EMPTY / RETRY) with the reference beside them.

/** HI bit 31: a JS job (LO is its id) rather than a wasm job (LO is its data pointer). */
export const JOB_JS: u32 = 0x80000000;
export const JOB_MODULE_SHIFT: u32 = 24;
export const JOB_MODULE_MAX: u32 = 127;
export const JOB_INDEX_MAX: u32 = 0xFFFFFF;

// @ts-ignore: decorator
@inline export function jobRef(hi: u32, lo: u32): u64 { return (<u64>hi << 32) | <u64>lo; }
// @ts-ignore: decorator
@inline export function jobHi(job: u64): u32 { return <u32>(job >>> 32); }
// @ts-ignore: decorator
@inline export function jobLo(job: u64): u32 { return <u32>job; }

/** A wasm job: function `index` of `module`'s table, called with `data`. */
// @ts-ignore: decorator
@inline export function jobWasm(module: u32, index: u32, data: usize): u64 {
  return jobRef((module << JOB_MODULE_SHIFT) | (index & JOB_INDEX_MAX), <u32>data);
}
/** A JS job: `id` in the pool's table; `aux` is free for the pool (31 bits). */
// @ts-ignore: decorator
@inline export function jobJs(aux: u32, id: u32): u64 { return jobRef(JOB_JS | aux, id); }

// @ts-ignore: decorator
@inline export function jobIsJs(job: u64): bool { return (jobHi(job) & JOB_JS) != 0; }
// @ts-ignore: decorator
@inline export function jobModule(job: u64): u32 { return (jobHi(job) >>> JOB_MODULE_SHIFT) & JOB_MODULE_MAX; }
// @ts-ignore: decorator
@inline export function jobIndex(job: u64): u32 { return jobHi(job) & JOB_INDEX_MAX; }

/**
 * Runs a wasm job of module 0 (the engine's own table) on this thread: `call_indirect` of
 * `void (data: usize)`. A wrong index traps (wasm checks the signature and the table bounds),
 * which the caller's trap handling reports like any job failure.
 */
export function jobRunWasm(job: u64): void {
  call_indirect<void>(jobIndex(job), <usize>jobLo(job));
}

/**
 * The job the last successful pop / steal of this thread took. A wasm global, so it is per
 * instance, that is per thread (engine/local.ts): the queues return a result code and leave the
 * reference here, which keeps their fast paths free of out-pointers and the ABI free of BigInt.
 */
let TAKEN: u64 = 0;

// @ts-ignore: decorator
@inline export function setTaken(job: u64): void { TAKEN = job; }
// @ts-ignore: decorator
@inline export function taken(): u64 { return TAKEN; }
