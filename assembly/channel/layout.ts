// Channel objects: the shared layout every flavor starts with, and the end objects.
//
//   channel (TAG_CHANNEL), one per channel; REFS counts its two end objects plus any operation
//   that must keep it alive while parked:
//
//    0        16       20    24                       44                       64
//    +--------+--------+-----+------------------------+------------------------+-------------
//    | header | FLAVOR | CAP | SEND waker (5 words)   | RECV waker (5 words)   | flavor fields
//    +--------+--------+-----+------------------------+------------------------+-------------
//    header AUX = payload kind (CHAN_KIND_*). Each waker block is described in waker.ts:
//      +0 SEQ   +4 WAITERS   +8 SEL_LOCK   +12 SEL_COUNT   +16 SEL_HEAD
//    The SEND waker is where blocked senders sleep (woken when a slot frees up), the RECV waker
//    where blocked receivers sleep (woken when a message arrives). The flavor's own fields
//    start at C_FLAVOR_FIELDS (array.ts, list.ts, zero.ts).
//
//   end (TAG_CHAN_SENDER / TAG_CHAN_RECEIVER), one per side; REFS = handles of that side:
//    +0 header   +16 CHAN (channel pointer)   +20 CHAN_GEN
//   crossbeam's Counter keeps `senders`/`receivers` in the channel; here each side is a shared
//   object whose reference count *is* that count, so Sender.clone()/drop() are the ordinary
//   Arc operations of every weft handle (see counter.ts).

export const TAG_CHANNEL: u32 = 0xC0DE0200;
export const TAG_CHAN_SENDER: u32 = 0xC0DE0201;
export const TAG_CHAN_RECEIVER: u32 = 0xC0DE0202;

export const C_FLAVOR: usize = 16;
export const C_CAP: usize = 20;
/** The senders' waker block (waker.ts): blocked senders sleep here. */
export const C_SEND: usize = 24;
/** The receivers' waker block (waker.ts): blocked receivers sleep here. */
export const C_RECV: usize = 44;
// Waker block fields (offsets inside C_SEND / C_RECV).
export const W_SEQ: usize = 0;
export const W_WAITERS: usize = 4;
export const W_SEL_LOCK: usize = 8;
export const W_SEL_COUNT: usize = 12;
export const W_SEL_HEAD: usize = 16;
export const WAKER_SIZE: usize = 20;
// Absolute offsets of the futex words (the host parks async operations on them).
export const C_SEND_SEQ: usize = C_SEND + W_SEQ;
export const C_SEND_WAITERS: usize = C_SEND + W_WAITERS;
export const C_RECV_SEQ: usize = C_RECV + W_SEQ;
export const C_RECV_WAITERS: usize = C_RECV + W_WAITERS;
export const C_FLAVOR_FIELDS: usize = 64;

/** Flavors (C_FLAVOR): bounded ring, unbounded linked blocks, rendezvous. */
export const FLAVOR_ARRAY: u32 = 1;
export const FLAVOR_LIST: u32 = 2;
export const FLAVOR_ZERO: u32 = 3;

/**
 * Payload kinds (header AUX). Every slot holds one f64: numbers exactly (F64/I32/U32); for BYTES
 * and ANY the f64 is the pointer of a message block in the shared heap that the receiver takes
 * over (ts/channel/payload.ts describes the block):
 *
 *   ptr +0 LEN (u32)   +4 HANDLES (u32: weft references inside)   +8 LEN body bytes
 *
 * The engine never reads a block; it only hands the channel to the host when the last end is
 * dropped with blocks still buffered (counter.ts endDestroy), and the host frees them.
 */
export const CHAN_KIND_F64: u32 = 1;
export const CHAN_KIND_I32: u32 = 2;
export const CHAN_KIND_U32: u32 = 3;
export const CHAN_KIND_BYTES: u32 = 4;
export const CHAN_KIND_ANY: u32 = 5;

export const CE_CHAN: usize = 16;
export const CE_CHAN_GEN: usize = 20;
export const CHAN_END_SIZE: usize = 24;
