// The engine ABI: every export the TypeScript host calls, and nothing else.
// Names are snake_case `<area>_<verb>`; results are the small integer codes of layout.ts.
// Pointers are u32 addresses in the shared memory; deadlines are `now()` milliseconds.
import "./engine/abort";
import { attach } from "./engine/local";
import { engineInit, agentClaim } from "./engine/init";
import { agentOffer, agentTake, agentStop, pendingPush, agentsComing, agentFinishing } from "./engine/dispatch";
import { panicCleanup, releaseHeld } from "./engine/panic";
import { objNew, objCheck, objRetain, objRelease, objFree } from "./engine/object";
import { malloc, free, realloc, isLive, usableSize } from "./heap/index";
import { tcacheEnable, tcacheRelease, tcacheBytes, tcacheMaxBytes } from "./heap/tcache";
import { deadlineAfter } from "./sync/futex";
import {
  mutexLock, mutexTryLock, mutexUnlock, mutexLockStep, mutexLockDone, MUTEX_SIZE, M_STATE, M_OWNER, M_POISON,
  M_VALUE, M_VALUE2,
} from "./sync/mutex";
import { load32, add32, store32 } from "./sync/atomic";
import { H_PENDING_COUNT, TAG_MUTEX, TAG_TASK, TASK_SIZE, T_THREAD, H_THREAD_IDS, H_HEAP_TOP, H_BYTES_USED, H_BLOCKS_USED, H_OOM_COUNT } from "./layout";

export * from "./layout";
export * from "./abi/rwlock";
export * from "./abi/condvar";
export * from "./abi/barrier";
export * from "./abi/once";
export * from "./abi/semaphore";
export * from "./abi/waitgroup";
export * from "./abi/atomic";
export * from "./abi/shared-array";
export * from "./abi/channel";
export * from "./abi/select";
export * from "./abi/sched";
export * from "./abi/channel-batch";
export * from "./abi/codec";
export { M_STATE, M_OWNER, M_POISON, M_VALUE, M_VALUE2, MUTEX_SIZE };

// ---- engine ---------------------------------------------------------------------------------
export function engine_init(): i32 { return engineInit(); }
export function agent_attach(agent: u32, canBlock: i32): void { attach(agent, canBlock != 0); tcacheEnable(); }
export function agent_claim(): u32 { return agentClaim(); }
export function agent_offer(task: usize): u32 { return agentOffer(task); }
export function agent_take(): usize { return agentTake(); }
/** Hands `task` to an idle worker (1), or queues it (0: the host decides whether to start one). */
export function task_dispatch(task: usize): i32 {
  if (agentOffer(task) != 0) return 1;
  pendingPush(task);
  return 0;
}
/** Whether the host should start a worker: more queued tasks than workers booting or returning. */
export function pool_should_grow(): i32 {
  return load32(H_PENDING_COUNT) > agentsComing() ? 1 : 0;
}
/** Worker side: its task is over (called before the outcome is published). */
export function agent_finishing(): void { agentFinishing(); }
export function agent_stop(agent: u32): void { agentStop(agent); }
export function panic_cleanup(): i32 { return panicCleanup(); }
/** At the normal end of a thread: releases the exclusive locks it still holds, unpoisoned. */
export function held_release_all(): i32 { return releaseHeld(false); }

// ---- heap -----------------------------------------------------------------------------------
export function heap_alloc(size: usize): usize { return malloc(size); }
export function heap_free(ptr: usize): i32 { return free(ptr); }
export function heap_realloc(ptr: usize, size: usize): usize { return realloc(ptr, size); }
export function heap_is_live(ptr: usize): i32 { return isLive(ptr) ? 1 : 0; }
export function heap_usable_size(ptr: usize): usize { return isLive(ptr) ? usableSize(ptr) : 0; }
export function heap_top(): usize { return <usize>load32(H_HEAP_TOP); }
export function heap_bytes_used(): u32 { return <u32>load32(H_BYTES_USED); }
export function heap_blocks_used(): u32 { return <u32>load32(H_BLOCKS_USED); }
export function heap_oom_count(): u32 { return <u32>load32(H_OOM_COUNT); }
/** This thread's small-block cache (heap/tcache.ts): flushed when the thread ends. */
export function heap_cache_release(): void { tcacheRelease(); }
export function heap_cache_bytes(): u32 { return tcacheBytes(); }
export function heap_cache_max_bytes(): u32 { return tcacheMaxBytes(); }

// ---- shared objects -------------------------------------------------------------------------
export function obj_new(tag: u32, size: usize, aux: u32): usize { return objNew(tag, size, aux); }
export function obj_check(ptr: usize, tag: u32, gen: u32): i32 { return objCheck(ptr, tag, gen); }
export function obj_retain(ptr: usize): i32 { return objRetain(ptr); }
export function obj_release(ptr: usize): i32 { return objRelease(ptr); }
export function obj_free(ptr: usize): i32 { return objFree(ptr); }

// ---- mutex ----------------------------------------------------------------------------------
export function mutex_new(kind: u32): usize { return objNew(TAG_MUTEX, MUTEX_SIZE, kind); }
export function mutex_lock(m: usize, timeoutMs: f64): i32 { return mutexLock(m, deadlineAfter(timeoutMs)); }
export function mutex_try_lock(m: usize): i32 { return mutexTryLock(m); }
export function mutex_lock_step(m: usize): i32 { return mutexLockStep(m); }
export function mutex_lock_done(m: usize): void { mutexLockDone(m); }
export { M_ASYNC } from "./sync/mutex";
export function mutex_unlock(m: usize): i32 { return mutexUnlock(m); }

/** In-wasm benchmark: `n` uncontended lock+unlock pairs. */
export function bench_mutex(m: usize, n: i32): i32 {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    bad |= mutexLock(m, Infinity);
    bad |= mutexUnlock(m);
  }
  return bad;
}

// ---- tasks (spawned threads) ----------------------------------------------------------------
/** A task object with a fresh ThreadId (the main thread's is made first, and gets ThreadId 1). */
export function task_new(): usize {
  const t = objNew(TAG_TASK, TASK_SIZE, 0);
  // THREAD_IDS starts at 1 (engine init), so the first task, the main thread's, gets ThreadId 1.
  if (t != 0) store32(t + T_THREAD, add32(H_THREAD_IDS, 1));
  return t;
}
