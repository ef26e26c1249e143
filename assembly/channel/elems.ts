// Batch buffers: the elements of a sendMany / recvMany buffer in the heap, and this thread's
// result code of the last batch operation.
//
//   buffer (caller's, plain memory owned by one thread for the call):
//     CHAN_KIND_F64   f64[n]   8 bytes each
//     CHAN_KIND_I32   i32[n]   4 bytes each
//     CHAN_KIND_U32   u32[n]   4 bytes each
//
// A channel slot always holds one f64 (layout.ts); the element kind of the buffer says how each
// element becomes that f64 and back. A batch call's buffer belongs to its caller for the whole
// call (the host's scratch block, or a kernel's own memory): plain loads and stores are safe.
import { CHAN_KIND_F64, CHAN_KIND_I32, CHAN_KIND_U32 } from "./layout";

/** Whether `kind` names a numeric buffer element (CHAN_KIND_F64, _I32 or _U32). */
// @ts-ignore: decorator
@inline export function elemKindOk(kind: u32): bool { return kind >= CHAN_KIND_F64 && kind <= CHAN_KIND_U32; }

/** log2 of the element size of `kind` (3 for f64, 2 for i32 / u32). */
// @ts-ignore: decorator
@inline export function elemShift(kind: u32): usize { return kind == CHAN_KIND_F64 ? 3 : 2; }

/** Element `i` of the buffer at `ptr` as a slot value. */
// @ts-ignore: decorator
@inline export function elemGet(ptr: usize, i: u32, kind: u32): f64 {
  if (kind == CHAN_KIND_F64) return load<f64>(ptr + (<usize>i << 3));
  if (kind == CHAN_KIND_I32) return <f64>load<i32>(ptr + (<usize>i << 2));
  return <f64>load<u32>(ptr + (<usize>i << 2));
}

/**
 * Stores slot value `v` as element `i`. Integer kinds truncate toward zero and saturate (NaN
 * gives 0); a numeric channel of the same kind only ever holds values in range, so nothing is
 * lost there.
 */
// @ts-ignore: decorator
@inline export function elemSet(ptr: usize, i: u32, kind: u32, v: f64): void {
  if (kind == CHAN_KIND_F64) store<f64>(ptr + (<usize>i << 3), v);
  else if (kind == CHAN_KIND_I32) store<i32>(ptr + (<usize>i << 2), <i32>v);
  else if (kind == CHAN_KIND_U32) store<u32>(ptr + (<usize>i << 2), <u32>v);
}

// Why the last batch call of this thread stopped: SUCCESS (all sent / at least one received),
// FULL, EMPTY, DISCONNECTED, TIMEOUT, WOULD_BLOCK (a step announced a sleeper) or
// INVALID_ARGUMENT. Wasm globals are per instance, one instance per thread: a thread-local.
// The initialiser must be a literal: `= SUCCESS` (an imported constant) compiles to a start
// function, which every instance would run (DESIGN.md fact 2; tests/build.test.ts).
let batchCode: i32 = 0; // SUCCESS

// @ts-ignore: decorator
@inline export function setBatchCode(code: i32): void { batchCode = code; }
// @ts-ignore: decorator
@inline export function getBatchCode(): i32 { return batchCode; }
