// init() / shutdown(): compile the module once, create the shared memory, instantiate on the
// main thread, boot the worker pool.
import { attachEngine, detachEngine, engine, engineOrNull, views } from "./engine";
import { Pool } from "./pool";
import type { Host } from "./hosts/host";
import { InvalidArgumentError, WeftError } from "./errors";
import { setDispatcher } from "./thread/spawn";
import { setCurrentTask } from "./thread/thread";
import { genOf } from "./handle";
import { shutdownPools } from "./sched/pool";

export interface InitOptions {
  /** Workers kept warm (default: availableParallelism()). More start on demand for spawn. */
  threads?: number;
  memory?: { initialMiB?: number; maximumMiB?: number };
  /** The engine's wasm: a URL/path, or its bytes (default: weft.wasm beside the bundle). */
  wasm?: URL | string | BufferSource;
}

let pool: Pool | null = null;
let host: Host | null = null;
let booting: Promise<void> | null = null;

async function loadHost(): Promise<Host> {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node) return (await import("./hosts/node")).nodeHost;
  throw new WeftError("UNSUPPORTED_RUNTIME", "weft: this runtime is not supported yet");
}

function positiveInt(v: unknown, what: string, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) {
    throw new InvalidArgumentError(`init: ${what} must be an integer in [1, ${max}], got ${String(v)}`);
  }
  return v;
}

/** Starts the engine. Calling it again while running is a no-op (returns the same promise). */
export function init(opts: InitOptions = {}): Promise<void> {
  if (booting !== null) return booting;
  booting = boot(opts).catch((e) => { booting = null; throw e; });
  return booting;
}

async function boot(opts: InitOptions): Promise<void> {
  host = await loadHost();
  const threads = positiveInt(opts.threads ?? host.availableParallelism(), "threads", 127);
  const maxMiB = positiveInt(opts.memory?.maximumMiB ?? 1024, "memory.maximumMiB", 1024);
  const initMiB = positiveInt(opts.memory?.initialMiB ?? 4, "memory.initialMiB", maxMiB);
  const bytes = await host.loadWasm(opts.wasm);
  const module = await WebAssembly.compile(bytes);
  const memory = new WebAssembly.Memory({
    initial: Math.max(17, initMiB * 16), maximum: Math.max(17, maxMiB * 16), shared: true,
  });
  await attachEngine(module, memory, 1, host.mainCanBlock, true);
  host.installKeepAlive();
  // The main thread's own task object: ThreadId 1, named "main".
  const { x, L } = engine();
  const main = x.task_new();
  Atomics.store(views().i32, (main + L.T_STATE) >>> 2, L.TASK_RUNNING);
  const name = new TextEncoder().encode("main");
  const p = x.heap_alloc(name.length);
  views().u8.set(name, p);
  views().u32[(main + L.T_NAME) >>> 2] = p;
  views().u32[(main + L.T_NAME_LEN) >>> 2] = name.length;
  setCurrentTask(main, genOf(main));
  pool = new Pool(host);
  setDispatcher((task) => pool!.dispatch(task));
  try {
    await pool.boot(threads);
  } catch (e) {
    await pool.shutdown(0);
    teardown();
    throw e;
  }
}

/** Stops every worker (after its current task; busy ones are terminated after `graceMs`). */
export async function shutdown(opts: { graceMs?: number } = {}): Promise<void> {
  if (booting === null) return;
  await booting.catch(() => {});
  await shutdownPools(); // rayon pools' workers leave their loops before the threads stop
  if (pool !== null) await pool.shutdown(opts.graceMs ?? 1000);
  teardown();
}

function teardown(): void {
  setCurrentTask(0, 0);
  setDispatcher(() => { throw new WeftError("NOT_INITIALIZED", "weft is shut down"); });
  pool = null;
  booting = null;
  engineOrNull()?.x.heap_cache_release(); // the main thread's cached small blocks
  detachEngine();
}

/** Threads the machine can run in parallel (Rust's available_parallelism); works before init. */
export function availableParallelism(): number {
  if (host !== null) return host.availableParallelism();
  const g = globalThis as {
    navigator?: { hardwareConcurrency?: number };
    process?: { getBuiltinModule?: (id: string) => { availableParallelism?: () => number } | undefined };
  };
  // Node 20 has no navigator; process.getBuiltinModule (Node >= 20.16) reaches `os` synchronously.
  const os = g.process?.getBuiltinModule?.("node:os");
  return os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 1;
}

/** Engine statistics for tests and monitoring. */
export function stats(): { workers: number; heapBytes: number; heapBlocks: number; heapTop: number; memoryBytes: number; oomCount: number } {
  const e = engine();
  return {
    workers: pool?.size ?? 0,
    heapBytes: e.x.heap_bytes_used(),
    heapBlocks: e.x.heap_blocks_used(),
    heapTop: e.x.heap_top(),
    memoryBytes: e.memory.buffer.byteLength,
    oomCount: e.x.heap_oom_count(),
  };
}

export function isInitialized(): boolean { return engineOrNull() !== null; }
