// Channel objects: the shared layout every flavor starts with, and the end objects.
//
//   channel (TAG_CHANNEL), one per channel; REFS counts its two end objects plus any async
//   operation in flight (each holds a reference while parked):
//
//    0        16       20    24         28            32         36            40     64
//    +--------+--------+-----+----------+-------------+----------+-------------+------+----
//    | header | FLAVOR | CAP | SEND_SEQ | SEND_WAITERS| RECV_SEQ | RECV_WAITERS| pad  | flavor
//    +--------+--------+-----+----------+-------------+----------+-------------+------+ fields
//    header AUX = payload kind (KIND_F64 | KIND_I32 | KIND_U32). The four waker words are
//    described in waker.ts; the flavor's own fields start at C_FLAVOR_FIELDS (array.ts).
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
export const C_SEND_SEQ: usize = 24;
export const C_SEND_WAITERS: usize = 28;
export const C_RECV_SEQ: usize = 32;
export const C_RECV_WAITERS: usize = 36;
export const C_FLAVOR_FIELDS: usize = 64;

export const FLAVOR_ARRAY: u32 = 1;

/** Payload kinds (header AUX): every kind is stored in the slot as an f64, exactly. */
export const CHAN_KIND_F64: u32 = 1;
export const CHAN_KIND_I32: u32 = 2;
export const CHAN_KIND_U32: u32 = 3;

export const CE_CHAN: usize = 16;
export const CE_CHAN_GEN: usize = 20;
export const CHAN_END_SIZE: usize = 24;
