// ABI exports for waitgroup: see assembly/sync/waitgroup.ts.
import { objNew } from "../engine/object";
import { store32, load32 } from "../sync/atomic";
import { deadlineAfter } from "../sync/futex";
import {
  wgInit, wgJoin, wgLeave, wgWait, W_COUNT, WAITGROUP_SIZE, WM_WG, WM_WG_GEN, WG_MEMBER_SIZE,
  TAG_WAITGROUP_MEMBER,
} from "../sync/waitgroup";
import { TAG_WAITGROUP } from "../layout";

export { W_COUNT, WAITGROUP_SIZE, WM_WG, WM_WG_GEN, WG_MEMBER_SIZE, TAG_WAITGROUP_MEMBER } from "../sync/waitgroup";

/** A WaitGroup whose creator is its one member, or 0 when out of memory. */
export function waitgroup_new(): usize {
  const w = objNew(TAG_WAITGROUP, WAITGROUP_SIZE, 0);
  if (w != 0) wgInit(w);
  return w;
}
export function waitgroup_join(w: usize): i32 { return wgJoin(w); }
export function waitgroup_leave(w: usize): i32 { return wgLeave(w); }
export function waitgroup_wait(w: usize, timeoutMs: f64): i32 { return wgWait(w, deadlineAfter(timeoutMs)); }
export function waitgroup_count(w: usize): i32 { return load32(w + W_COUNT); }
/**
 * A member token for `w` (generation `gen`), or 0 when out of memory. The caller has already
 * counted the membership and taken the reference the token owns.
 */
export function waitgroup_member_new(w: usize, gen: u32): usize {
  const t = objNew(TAG_WAITGROUP_MEMBER, WG_MEMBER_SIZE, 0);
  // Not yet shared: the token is published only through the message that carries it.
  if (t != 0) { store32(t + WM_WG, <i32>w); store32(t + WM_WG_GEN, <i32>gen); }
  return t;
}
