// Channels: the facade. Every function is one dispatch on the channel's flavor (crossbeam's
// channel.rs shape); the algorithms live in one file per flavor. Only the array flavor (bounded
// ring) exists so far; list (unbounded) and zero (rendezvous) will join the switch.
import { objNew } from "../engine/object";
import {
  TAG_CHANNEL, C_FLAVOR, C_CAP, FLAVOR_ARRAY, CHAN_KIND_F64, CHAN_KIND_U32,
} from "./layout";
import {
  arraySize, arrayInit, arrayTrySend, arrayTryRecv, arraySend, arrayRecv, arraySendStep,
  arraySendDone, arrayRecvStep, arrayRecvDone, arrayReceived, arrayLen, arrayDisconnect,
  arrayIsDisconnected, ARRAY_MAX_CAP,
} from "./array";
import { INVALID_ARGUMENT } from "../layout";

// FLAVOR and CAP are written before the channel is published and never change: plain loads.
// @ts-ignore: decorator
@inline function flavorOf(c: usize): u32 { return load<u32>(c + C_FLAVOR); }

/** A channel of `flavor`, payload `kind`, capacity `cap` (REFS = 1), or 0 (bad arguments / OOM). */
export function chanNew(flavor: u32, kind: u32, cap: u32): usize {
  if (kind < CHAN_KIND_F64 || kind > CHAN_KIND_U32) return 0;
  if (flavor == FLAVOR_ARRAY) {
    if (cap < 1 || cap > ARRAY_MAX_CAP) return 0;
    const c = objNew(TAG_CHANNEL, arraySize(cap), kind);
    if (c == 0) return 0;
    // Not yet shared: nobody can reach c before the host publishes it.
    store<u32>(c + C_FLAVOR, flavor);
    store<u32>(c + C_CAP, cap);
    arrayInit(c, cap);
    return c;
  }
  return 0;
}

export function chanTrySend(c: usize, v: f64): i32 {
  if (flavorOf(c) == FLAVOR_ARRAY) return arrayTrySend(c, v);
  return INVALID_ARGUMENT;
}
export function chanTryRecv(c: usize): i32 {
  if (flavorOf(c) == FLAVOR_ARRAY) return arrayTryRecv(c);
  return INVALID_ARGUMENT;
}
export function chanSend(c: usize, v: f64, deadline: f64): i32 {
  if (flavorOf(c) == FLAVOR_ARRAY) return arraySend(c, v, deadline);
  return INVALID_ARGUMENT;
}
export function chanRecv(c: usize, deadline: f64): i32 {
  if (flavorOf(c) == FLAVOR_ARRAY) return arrayRecv(c, deadline);
  return INVALID_ARGUMENT;
}
export function chanSendStep(c: usize, v: f64): i32 {
  if (flavorOf(c) == FLAVOR_ARRAY) return arraySendStep(c, v);
  return INVALID_ARGUMENT;
}
export function chanSendDone(c: usize): void {
  if (flavorOf(c) == FLAVOR_ARRAY) arraySendDone(c);
}
export function chanRecvStep(c: usize): i32 {
  if (flavorOf(c) == FLAVOR_ARRAY) return arrayRecvStep(c);
  return INVALID_ARGUMENT;
}
export function chanRecvDone(c: usize): void {
  if (flavorOf(c) == FLAVOR_ARRAY) arrayRecvDone(c);
}
/** The value of this thread's last successful receive. */
export function chanReceived(): f64 { return arrayReceived(); }
export function chanLen(c: usize): u32 {
  if (flavorOf(c) == FLAVOR_ARRAY) return arrayLen(c);
  return 0;
}
export function chanCapacity(c: usize): u32 { return load<u32>(c + C_CAP); }
/** Marks the channel disconnected and wakes every blocked peer; true the first time. */
export function chanDisconnect(c: usize): bool {
  if (flavorOf(c) == FLAVOR_ARRAY) return arrayDisconnect(c);
  return false;
}
export function chanIsDisconnected(c: usize): bool {
  if (flavorOf(c) == FLAVOR_ARRAY) return arrayIsDisconnected(c);
  return false;
}
