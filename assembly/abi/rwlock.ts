// ABI exports for rwlock: see assembly/sync/rwlock.ts.
import { objNew } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import {
  rwlockRead, rwlockTryRead, rwlockReadStep, rwlockReadUnlock, rwlockWrite, rwlockTryWrite,
  rwlockWriteStep, rwlockWriteDone, rwlockWriteUnlock, rwlockStepWaitValue, RWLOCK_SIZE,
} from "../sync/rwlock";
import { TAG_RWLOCK } from "../layout";

export {
  RW_STATE, RW_OWNER, RW_POISON, RW_NEXT_HELD, RW_VALUE, RW_VALUE2, RW_NOTIFY, RW_ASYNC_W, RWLOCK_SIZE,
} from "../sync/rwlock";

export function rwlock_new(kind: u32): usize { return objNew(TAG_RWLOCK, RWLOCK_SIZE, kind); }
export function rwlock_read(l: usize, timeoutMs: f64): i32 { return rwlockRead(l, deadlineAfter(timeoutMs)); }
export function rwlock_try_read(l: usize): i32 { return rwlockTryRead(l); }
export function rwlock_read_step(l: usize): i32 { return rwlockReadStep(l); }
export function rwlock_read_unlock(l: usize): i32 { return rwlockReadUnlock(l); }
export function rwlock_write(l: usize, timeoutMs: f64): i32 { return rwlockWrite(l, deadlineAfter(timeoutMs)); }
export function rwlock_try_write(l: usize): i32 { return rwlockTryWrite(l); }
export function rwlock_write_step(l: usize): i32 { return rwlockWriteStep(l); }
export function rwlock_write_done(l: usize): void { rwlockWriteDone(l); }
export function rwlock_write_unlock(l: usize): i32 { return rwlockWriteUnlock(l); }
/** After a step returned WOULD_BLOCK: the value to `Atomics.waitAsync` on (STATE for readers, NOTIFY for writers). */
export function rwlock_step_wait_value(): i32 { return rwlockStepWaitValue(); }
