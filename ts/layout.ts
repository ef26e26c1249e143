// Offsets and constants of the shared-memory layout, read from the engine's own exports.
// assembly/layout.ts is the single source of truth; nothing here repeats a number.

/** The engine exports this host uses (functions and constant globals). */
export interface Exports {
  [name: string]: any;
  engine_init(): number;
  agent_attach(agent: number, canBlock: number): void;
  agent_claim(): number;
  agent_offer(task: number): number;
  agent_take(): number;
  agent_stop(agent: number): void;
  panic_cleanup(): number;
  heap_alloc(size: number): number;
  heap_free(ptr: number): number;
  heap_realloc(ptr: number, size: number): number;
  heap_is_live(ptr: number): number;
  heap_usable_size(ptr: number): number;
  heap_top(): number;
  heap_bytes_used(): number;
  heap_blocks_used(): number;
  heap_oom_count(): number;
  heap_cache_release(): void;
  heap_cache_bytes(): number;
  heap_cache_max_bytes(): number;
  obj_new(tag: number, size: number, aux: number): number;
  obj_check(ptr: number, tag: number, gen: number): number;
  obj_retain(ptr: number): number;
  obj_release(ptr: number): number;
  obj_free(ptr: number): number;
}

/** Reads every exported constant global into a plain object of numbers. */
export function readLayout(exports: WebAssembly.Exports): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(exports)) {
    if (v instanceof WebAssembly.Global) out[name] = Number(v.value) >>> 0;
  }
  return out;
}
