// Counter: the two ends of a channel, and disconnection when the last handle of a side drops.
//
// crossbeam's counter.rs keeps `senders` and `receivers` counts beside the channel and
// disconnects when one reaches zero. weft's handles are already reference counted in shared
// memory (object header REFS), so each side is one small end object (layout.ts) whose REFS *is*
// that side's count:
//
//   Sender.clone()  -> REFS(sender end) + 1          (objRetain)
//   Sender.drop()   -> REFS(sender end) - 1          (objRelease)
//   ... reaching 0  -> endDestroy: disconnect the channel (wakes every blocked peer), then give
//                      back the end's reference to the channel; the channel is freed with its
//                      last reference (both ends gone, no async operation parked).
//
// One disconnection mark serves both directions (as in crossbeam's array flavor): once the
// senders are gone, receivers drain what is buffered and then see DISCONNECTED; once the
// receivers are gone, sends fail at once with DISCONNECTED.
import { objNew, objRetain, objRelease, objFree } from "../engine/object";
import { load32, store32 } from "../sync/atomic";
import { CE_CHAN, CE_CHAN_GEN, CHAN_END_SIZE } from "./layout";
import { chanDisconnect, chanFree, chanCarriesBlocks } from "./index";
import { O_GEN } from "../layout";

/** A new end (`tag` TAG_CHAN_SENDER or TAG_CHAN_RECEIVER) taking one reference to `c`, or 0 (OOM). */
export function endNew(c: usize, tag: u32): usize {
  const e = objNew(tag, CHAN_END_SIZE, 0);
  if (e == 0) return 0;
  objRetain(c); // the caller holds a reference to c, so it is alive: this cannot fail
  // Not yet shared: the end is published only by the host that receives it.
  store32(e + CE_CHAN, <i32>c);
  store32(e + CE_CHAN_GEN, load32(c + O_GEN));
  return e;
}

// @ts-ignore: decorator
@inline export function endChan(e: usize): usize { return <usize><u32>load32(e + CE_CHAN); }

/**
 * The last handle of end `e` is gone (its REFS reached 0): disconnect and release the channel.
 * Returns 0, or the channel when that was its last reference and its messages are message blocks:
 * the host then frees the messages still buffered (only it can release handles inside them) and
 * calls chanFree. Numeric channels are freed here.
 */
export function endDestroy(e: usize): usize {
  const c = endChan(e);
  chanDisconnect(c);
  if (objRelease(c) != 0) return 0;
  // REFS 0: both ends are gone and nothing is parked on c, so nobody else can reach it.
  if (chanCarriesBlocks(c)) return c;
  chanFree(c);
  return 0;
}

/** One more handle of end `e` (SUCCESS, or INVALID_HANDLE if it already died). */
export function endRetain(e: usize): i32 { return objRetain(e); }

/** One handle of end `e` less; the last one disconnects and frees the end. Returns REFS left. */
export function endRelease(e: usize): i32 {
  const left = objRelease(e);
  if (left == 0) {
    const c = endDestroy(e);
    if (c != 0) chanFree(c); // reached with no messages buffered: the host's failure path in bounded()
    objFree(e);
  }
  return left;
}
