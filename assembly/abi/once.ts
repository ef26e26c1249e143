// ABI exports for once: see assembly/sync/once.ts (Once and OnceLock).
import { objNew } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import { onceStep, onceBegin, onceFinish, onceState, ONCE_SIZE, ONCE_LOCK_SIZE, TAG_ONCE_LOCK } from "../sync/once";
import { TAG_ONCE } from "../layout";

export {
  ON_STATE, ON_OWNER, ON_VALUE, ON_VALUE2, ONCE_SIZE, ONCE_LOCK_SIZE, TAG_ONCE_LOCK,
  ONCE_INCOMPLETE, ONCE_RUNNING, ONCE_COMPLETE, ONCE_POISONED_STATE, ONCE_QUEUED, ONCE_RUN,
  ONCE_RUN_POISONED,
} from "../sync/once";

export function once_new(): usize { return objNew(TAG_ONCE, ONCE_SIZE, 0); }
/** A OnceLock; its value kind (aux) is written by the first initialiser. */
export function once_lock_new(): usize { return objNew(TAG_ONCE_LOCK, ONCE_LOCK_SIZE, 0); }
/**
 * Blocking begin (`run` 1: call the fn; 0: only wait for completion), see onceBegin: SUCCESS,
 * ONCE_RUN[_POISONED], ONCE_POISONED, TIMEOUT, WOULD_DEADLOCK.
 */
export function once_begin(o: usize, force: i32, run: i32, timeoutMs: f64): i32 {
  return onceBegin(o, force != 0, run != 0, deadlineAfter(timeoutMs));
}
/** Non-blocking step (async form): like once_begin, or WOULD_BLOCK (then wait on STATE if QUEUED is in it). */
export function once_step(o: usize, force: i32, run: i32): i32 { return onceStep(o, force != 0, run != 0); }
/** Ends this thread's run: outcome ONCE_COMPLETE, ONCE_POISONED_STATE or ONCE_INCOMPLETE. */
export function once_finish(o: usize, outcome: i32): i32 { return onceFinish(o, outcome); }
export function once_state(o: usize): i32 { return onceState(o); }
