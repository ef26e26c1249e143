// Channels: the facade. Every function is one dispatch on the channel's flavor (crossbeam's
// channel.rs shape); the algorithms live in one file per flavor:
//   array.ts  bounded ring (Vyukov stamps)        FLAVOR_ARRAY, capacity >= 1
//   list.ts   unbounded linked blocks             FLAVOR_LIST
//   zero.ts   rendezvous (capacity 0)             FLAVOR_ZERO
// Every flavor moves one f64 per message (numbers, or a message block pointer: layout.ts).
import { objNew, objFree, objAux } from "../engine/object";
import {
  TAG_CHANNEL, C_FLAVOR, C_CAP, FLAVOR_ARRAY, FLAVOR_LIST, FLAVOR_ZERO, CHAN_KIND_F64,
  CHAN_KIND_ANY, CHAN_KIND_BYTES,
} from "./layout";
import * as A from "./array";
import * as L from "./list";
import * as Z from "./zero";
import { getReceived } from "./received";
import { INVALID_ARGUMENT } from "../layout";

// FLAVOR and CAP are written before the channel is published and never change: plain loads.
// @ts-ignore: decorator
@inline function flavorOf(c: usize): u32 { return load<u32>(c + C_FLAVOR); }

/** A channel of `flavor`, payload `kind`, capacity `cap` (REFS = 1), or 0 (bad arguments / OOM). */
export function chanNew(flavor: u32, kind: u32, cap: u32): usize {
  if (kind < CHAN_KIND_F64 || kind > CHAN_KIND_ANY) return 0;
  let size: usize;
  if (flavor == FLAVOR_ARRAY) {
    if (cap < 1 || cap > A.ARRAY_MAX_CAP) return 0;
    size = A.arraySize(cap);
  } else if (flavor == FLAVOR_LIST) {
    if (cap != 0) return 0;
    size = L.listSize(cap);
  } else if (flavor == FLAVOR_ZERO) {
    if (cap != 0) return 0;
    size = Z.zeroSize(cap);
  } else {
    return 0;
  }
  const c = objNew(TAG_CHANNEL, size, kind);
  if (c == 0) return 0;
  // Not yet shared: nobody can reach c before the host publishes it.
  store<u32>(c + C_FLAVOR, flavor);
  store<u32>(c + C_CAP, cap);
  let ok = true;
  if (flavor == FLAVOR_ARRAY) A.arrayInit(c, cap);
  else if (flavor == FLAVOR_LIST) ok = L.listInit(c, cap);
  else ok = Z.zeroInit(c, cap);
  if (!ok) { objFree(c); return 0; } // the flavor could not allocate what it needs
  return c;
}

/** Whether messages of `c` are message blocks (BYTES/ANY) the host must free when dropped. */
export function chanCarriesBlocks(c: usize): bool {
  const k = objAux(c);
  return k == CHAN_KIND_BYTES || k == CHAN_KIND_ANY;
}

/** Frees a channel nobody references any more (REFS 0, drained): the flavor's memory, then c. */
export function chanFree(c: usize): void {
  const f = flavorOf(c);
  if (f == FLAVOR_LIST) L.listDestroy(c);
  else if (f == FLAVOR_ZERO) Z.zeroDestroy(c);
  objFree(c);
}

export function chanTrySend(c: usize, v: f64): i32 {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arrayTrySend(c, v);
  if (f == FLAVOR_LIST) return L.listTrySend(c, v);
  if (f == FLAVOR_ZERO) return Z.zeroTrySend(c, v);
  return INVALID_ARGUMENT;
}
export function chanTryRecv(c: usize): i32 {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arrayTryRecv(c);
  if (f == FLAVOR_LIST) return L.listTryRecv(c);
  if (f == FLAVOR_ZERO) return Z.zeroTryRecv(c);
  return INVALID_ARGUMENT;
}
export function chanSend(c: usize, v: f64, deadline: f64): i32 {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arraySend(c, v, deadline);
  if (f == FLAVOR_LIST) return L.listSend(c, v, deadline);
  if (f == FLAVOR_ZERO) return Z.zeroSend(c, v, deadline);
  return INVALID_ARGUMENT;
}
export function chanRecv(c: usize, deadline: f64): i32 {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arrayRecv(c, deadline);
  if (f == FLAVOR_LIST) return L.listRecv(c, deadline);
  if (f == FLAVOR_ZERO) return Z.zeroRecv(c, deadline);
  return INVALID_ARGUMENT;
}
export function chanSendStep(c: usize, v: f64): i32 {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arraySendStep(c, v);
  if (f == FLAVOR_LIST) return L.listSendStep(c, v);
  if (f == FLAVOR_ZERO) return Z.zeroSendStep(c, v);
  return INVALID_ARGUMENT;
}
export function chanSendDone(c: usize): void {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) A.arraySendDone(c);
  else if (f == FLAVOR_LIST) L.listSendDone(c);
  else if (f == FLAVOR_ZERO) Z.zeroSendDone(c);
}
export function chanRecvStep(c: usize): i32 {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arrayRecvStep(c);
  if (f == FLAVOR_LIST) return L.listRecvStep(c);
  if (f == FLAVOR_ZERO) return Z.zeroRecvStep(c);
  return INVALID_ARGUMENT;
}
export function chanRecvDone(c: usize): void {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) A.arrayRecvDone(c);
  else if (f == FLAVOR_LIST) L.listRecvDone(c);
  else if (f == FLAVOR_ZERO) Z.zeroRecvDone(c);
}
/** The value of this thread's last successful receive. */
export function chanReceived(): f64 { return getReceived(); }
export function chanLen(c: usize): u32 {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arrayLen(c);
  if (f == FLAVOR_LIST) return L.listLen(c);
  if (f == FLAVOR_ZERO) return Z.zeroLen(c);
  return 0;
}
/** Capacity: the ring size of a bounded channel; 0 for list (unbounded) and zero (rendezvous). */
export function chanCapacity(c: usize): u32 { return load<u32>(c + C_CAP); }
export function chanFlavor(c: usize): u32 { return flavorOf(c); }
/** Marks the channel disconnected and wakes every blocked peer; true the first time. */
export function chanDisconnect(c: usize): bool {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arrayDisconnect(c);
  if (f == FLAVOR_LIST) return L.listDisconnect(c);
  if (f == FLAVOR_ZERO) return Z.zeroDisconnect(c);
  return false;
}
export function chanIsDisconnected(c: usize): bool {
  const f = flavorOf(c);
  if (f == FLAVOR_ARRAY) return A.arrayIsDisconnected(c);
  if (f == FLAVOR_LIST) return L.listIsDisconnected(c);
  if (f == FLAVOR_ZERO) return Z.zeroIsDisconnected(c);
  return false;
}
