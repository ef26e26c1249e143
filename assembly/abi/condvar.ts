// ABI exports for condvar: see assembly/sync/condvar.ts.
import { objNew } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import { condvarWait, condvarNotify, condvarAsyncBegin, condvarAsyncDone, CONDVAR_SIZE } from "../sync/condvar";
import { TAG_CONDVAR } from "../layout";

export { CV_SEQ, CV_ASYNC, CONDVAR_SIZE } from "../sync/condvar";

export function condvar_new(): usize { return objNew(TAG_CONDVAR, CONDVAR_SIZE, 0); }
export function condvar_wait(cv: usize, m: usize, timeoutMs: f64): i32 {
  return condvarWait(cv, m, deadlineAfter(timeoutMs));
}
export function condvar_notify_one(cv: usize): i32 { return condvarNotify(cv, 1); }
export function condvar_notify_all(cv: usize): i32 { return condvarNotify(cv, -1); }
export function condvar_async_begin(cv: usize): void { condvarAsyncBegin(cv); }
export function condvar_async_done(cv: usize): void { condvarAsyncDone(cv); }
