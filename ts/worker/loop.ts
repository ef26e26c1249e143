// The worker runtime, shared by every host: instantiate the engine on this thread, then take
// tasks from this agent's mailbox (blocking in wasm between tasks), run them, publish results.
import { attachEngine, engine, views } from "../engine";
import { decodeFromHeap, encodeToHeap } from "../codec";
import { SharedHandle, releaseRef, genOf } from "../handle";
import { setCurrentTask } from "../thread/thread";
import { releaseTrackedGuards } from "../sync/thread-guards";
import { setDispatcher, TaskKind } from "../thread/spawn";
import { Msg, type BootData } from "../protocol";
import { graceForBusyWorkers } from "../pool";
import { compileSource } from "../compile";
import type { WorkerHost } from "../hosts/host";

const modules = new Map<string, Promise<Record<string, unknown>>>();

export async function runWorker(boot: BootData, host: WorkerHost): Promise<void> {
  await attachEngine(boot.module, boot.memory, boot.agent, true, false);
  const { x } = engine();
  // Nested spawn: an idle worker if there is one, else queue it; only the main thread starts
  // workers, so ask it to when the queue outgrows the workers already booting.
  setDispatcher((task) => {
    if (x.task_dispatch(task) !== 0) return;
    graceForBusyWorkers();
    if (x.pool_should_grow() !== 0) host.postToMain({ type: Msg.Grow });
  });
  for (;;) {
    const task = x.agent_take(); // blocks (futex) until a task or STOP arrives
    if (task === 0) break;
    const pending = runTask(task);
    if (pending !== undefined) await pending;
  }
  x.heap_cache_release(); // this thread's cached small blocks go back to the shared lists
  setCurrentTask(0, 0);
}

/** Runs one task; returns a promise only if the task is asynchronous. */
function runTask(task: number): Promise<void> | undefined {
  const { L } = engine();
  let V = views();
  const payload = V.u32[(task + L.T_PAYLOAD) >>> 2], len = V.u32[(task + L.T_PAYLOAD_LEN) >>> 2];
  setCurrentTask(task, genOf(task));
  Atomics.or(V.i32, (task + L.T_STATE) >>> 2, L.TASK_RUNNING); // PENDING (0) -> RUNNING, keeping DETACHED
  const argHandles: SharedHandle[] = [];
  let fn: Function, args: unknown[];
  try {
    const [kind, src, exp, a] = decodeFromHeap(payload, len, argHandles) as [TaskKind, string, string, unknown[]];
    engine().x.heap_free(payload);
    V = views();
    V.u32[(task + L.T_PAYLOAD) >>> 2] = 0;
    args = a;
    if (kind === TaskKind.Module) {
      return loadModule(src).then((m) => {
        const f = m[exp];
        if (typeof f !== "function") throw new TypeError(`module ${src} has no exported function '${exp}'`);
        return f(...args);
      }).then((v) => finish(task, argHandles, true, v), (e) => finish(task, argHandles, false, e));
    }
    fn = compileSource(src, "spawn: the task");
  } catch (e) {
    finish(task, argHandles, false, e);
    return undefined;
  }
  let r: unknown;
  try {
    r = fn(...args);
  } catch (e) {
    finish(task, argHandles, false, e);
    return undefined;
  }
  if (r !== null && typeof r === "object" && typeof (r as PromiseLike<unknown>).then === "function") {
    return Promise.resolve(r).then((v) => finish(task, argHandles, true, v), (e) => finish(task, argHandles, false, e));
  }
  finish(task, argHandles, true, r);
  return undefined;
}

function loadModule(url: string): Promise<Record<string, unknown>> {
  let m = modules.get(url);
  if (m === undefined) { m = import(/* @vite-ignore */ url); modules.set(url, m); }
  return m;
}

/** Publishes the outcome, drops the moved-in argument handles, wakes the joiner. */
function finish(task: number, argHandles: SharedHandle[], ok: boolean, value: unknown): void {
  const { x, L } = engine();
  let state = ok ? L.TASK_OK : L.TASK_PANIC;
  if (!ok) {
    x.panic_cleanup(); // poison and release every exclusive lock this thread still holds
    value = panicInfo(value);
  }
  releaseTrackedGuards(); // read guards left live (shared locks never poison)
  let enc;
  try {
    enc = encodeToHeap(value);
  } catch (e) {
    // The return value cannot cross threads: that is this thread's panic.
    state = L.TASK_PANIC;
    x.panic_cleanup();
    try { enc = encodeToHeap(panicInfo(e)); } catch { enc = null; }
  }
  for (const h of argHandles) h.drop();
  // Guards of exclusive locks never released: dropped at the end of the thread, as Rust does.
  x.held_release_all();
  const V = views();
  if (enc) {
    V.u32[(task + L.T_RESULT) >>> 2] = enc.ptr;
    V.u32[(task + L.T_RESULT_LEN) >>> 2] = enc.len;
    V.u32[(task + L.T_RESULT_HANDLES) >>> 2] = enc.handles > 0 ? 1 : 0;
  }
  const idx = (task + L.T_STATE) >>> 2;
  setCurrentTask(0, 0);
  // Publishes RESULT (SeqCst) and hands the runner's reference over to the joiner, who releases
  // it with its own: past this exchange the task may already be freed, so it is not touched again
  // — unless its JoinHandle was dropped unjoined (DETACHED), which leaves the reference to us.
  x.agent_finishing(); // from here this agent counts as coming back for queued tasks
  const old = Atomics.exchange(V.i32, idx, state);
  Atomics.notify(V.i32, idx); // wakes joiners sleeping on STATE (harmless on a freed word)
  if ((old & L.TASK_DETACHED) !== 0) releaseRef(task);
}

function panicInfo(e: unknown): { name: string; message: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: "Error", message: String(e) };
}
