// The engine as seen from one thread: the shared memory, this thread's instance of the one
// module, typed-array views over the memory, and the layout constants.
//
// Every thread (the main thread and each worker) has its own `Engine` object, made by
// `attachEngine` over the same Module and Memory. Views are re-created whenever the memory has
// grown (DESIGN.md fact 6): `views()` is cheap when nothing changed.
import { Exports, readLayout } from "./layout";
import { Kind } from "./value";
import { WeftError, Code, NotInitializedError, OutOfMemoryError } from "./errors";

export interface Views {
  buffer: ArrayBufferLike;
  u8: Uint8Array;
  i32: Int32Array;
  u32: Uint32Array;
  f64: Float64Array;
  i64: BigInt64Array;
}

export interface Engine {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  x: Exports;
  L: Record<string, number>;
  agent: number;
  /** Whether this thread may block (false on a browser main thread). */
  canBlock: boolean;
  isMain: boolean;
}

let current: Engine | null = null;
let cached: Views | null = null;
// The engine header (first page of the memory, never moves) and the index of its MEM_BYTES word.
let header: Int32Array | null = null;
let memBytesIdx = 0;

export function engine(): Engine {
  if (current === null) throw new NotInitializedError();
  return current;
}
export function engineOrNull(): Engine | null { return current; }

/** Instantiates the module on this thread over the shared memory and attaches `agent`. */
export async function attachEngine(
  module: WebAssembly.Module, memory: WebAssembly.Memory, agent: number, canBlock: boolean, isMain: boolean,
): Promise<Engine> {
  const instance = await WebAssembly.instantiate(module, {
    env: { memory },
    weft: { now: () => performance.now() },
  });
  const x = instance.exports as unknown as Exports;
  if (typeof x.engine_init !== "function" || typeof x.agent_attach !== "function" || !(x.MAGIC instanceof WebAssembly.Global)) {
    throw new WeftError("INVALID_ENGINE", "weft: this wasm module is not weft's engine (init({ wasm }) must be build/weft.wasm)");
  }
  const L = readLayout(instance.exports);
  if (agent === 1) x.engine_init();
  x.agent_attach(agent, canBlock ? 1 : 0);
  current = { module, memory, x, L, agent, canBlock, isMain };
  cached = null;
  header = new Int32Array(memory.buffer, 0, 65536 / 4);
  memBytesIdx = L.H_MEM_BYTES >>> 2;
  checkCodes(L);
  return current;
}

export function detachEngine(): void {
  current = null; cached = null; header = null;
  for (const f of onDetach) f();
}

/** Called when this thread leaves its engine (per-engine caches drop what they hold of it). */
export const onDetach: (() => void)[] = [];

/**
 * Views over the current memory; re-created after the memory grew. Growth is detected through
 * the header's MEM_BYTES word (written by the growing thread before the allocation that needed
 * it returns, so anything that reached us from that allocation was published after it): the
 * `memory.buffer` getter is far too slow for every access.
 */
export function views(): Views {
  if (cached !== null && header![memBytesIdx] === cached.buffer.byteLength) return cached;
  const buffer = engine().memory.buffer;
  if (cached === null || cached.buffer.byteLength !== buffer.byteLength) {
    cached = {
      buffer,
      u8: new Uint8Array(buffer),
      i32: new Int32Array(buffer),
      u32: new Uint32Array(buffer),
      f64: new Float64Array(buffer),
      i64: new BigInt64Array(buffer),
    };
  }
  return cached;
}

/** `size` bytes from the shared heap; throws OutOfMemoryError at the memory maximum. */
export function alloc(size: number): number {
  const p = engine().x.heap_alloc(size);
  if (p === 0) throw new OutOfMemoryError(size);
  return p;
}

// The TS `Code` enum mirrors the wasm result codes; a drift would mis-type errors, so it is checked.
function checkCodes(L: Record<string, number>): void {
  const pairs: [string, number][] = [
    ["SUCCESS", Code.SUCCESS], ["WOULD_BLOCK", Code.WOULD_BLOCK], ["TIMEOUT", Code.TIMEOUT],
    ["POISONED", Code.POISONED], ["NOT_OWNER", Code.NOT_OWNER], ["INVALID_HANDLE", Code.INVALID_HANDLE],
    ["OUT_OF_MEMORY", Code.OUT_OF_MEMORY], ["DOUBLE_FREE", Code.DOUBLE_FREE],
    ["INVALID_POINTER", Code.INVALID_POINTER], ["WOULD_DEADLOCK", Code.WOULD_DEADLOCK],
    ["NOT_LOCKED", Code.NOT_LOCKED], ["INVALID_ARGUMENT", Code.INVALID_ARGUMENT],
    ["ONCE_POISONED", Code.ONCE_POISONED], ["FULL", Code.FULL], ["EMPTY", Code.EMPTY],
    ["DISCONNECTED", Code.DISCONNECTED],
    ["KIND_NONE", Kind.NONE], ["KIND_NUMBER", Kind.NUMBER], ["KIND_BIGINT", Kind.BIGINT],
    ["KIND_BOOL", Kind.BOOL], ["KIND_HANDLE", Kind.HANDLE], ["KIND_ANY", Kind.ANY],
  ];
  for (const [name, v] of pairs) {
    if (L[name] !== v) throw new Error(`weft: engine/host mismatch on code ${name}: ${L[name]} vs ${v}`);
  }
}
