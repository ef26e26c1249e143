// Plain-JS channel baselines over a SharedArrayBuffer, written to be fair to JavaScript: the same
// "spin a little, then futex-wait, and notify only when someone sleeps" protocol as weft's
// channels (assembly/channel/waker.ts), no allocation per message.
//
// JsSpscRing: one producer, one consumer (Lamport ring; each side owns its counter).
//
//   Int32 words:  0 HEAD (messages taken)     16 TAIL (messages put)      (own 64-byte lines)
//                 32 CONSUMER_SLEEPS          48 PRODUCER_SLEEPS
//   bytes 256…    f64 slots, CAP a power of two, slot = counter & (CAP - 1)
//
//   push: wait while TAIL - HEAD == CAP; write the slot; store TAIL + 1 (publishes the slot: all
//         JS atomics are SeqCst); if CONSUMER_SLEEPS, notify TAIL.
//   pop:  wait while HEAD == TAIL; read the slot; store HEAD + 1; if PRODUCER_SLEEPS, notify HEAD.
//   A sleeper sets its flag, re-checks, then Atomics.wait(word, value seen): the peer's store
//   comes before its flag load (Dekker pair), so either the re-check sees the progress or the peer
//   sees the flag and notifies; a wait on a word that already changed returns at once.
//
// JsLockRing: multi-producer, multi-consumer: a ring under one futex mutex (baselines/js-mutex.mjs)
// with two sequence words for sleepers (NOT_FULL, NOT_EMPTY), the textbook bounded buffer.
//
//   Int32 words:  0 mutex | 1 HEAD | 2 COUNT | 16 NOT_EMPTY seq | 17 waiting consumers
//                 32 NOT_FULL seq | 33 waiting producers
//   bytes 256…    f64 slots
import { JsMutex } from "./js-mutex.mjs";

const SPIN = 200; // checks before sleeping (weft's channels spin a few thousand loads)

export class JsSpscRing {
  static bytes(cap) { return 256 + cap * 8; }
  /** Views over `sab` (made by the creator with JsSpscRing.bytes(cap), zeroed). */
  constructor(sab, cap) {
    if ((cap & (cap - 1)) !== 0) throw new Error("JsSpscRing: capacity must be a power of two");
    this.i32 = new Int32Array(sab, 0, 64);
    this.data = new Float64Array(sab, 256, cap);
    this.cap = cap;
    this.mask = cap - 1;
  }

  /** Blocks until `tail - head < cap` (producer) or `head != tail` (consumer). */
  waitFor(word, flag, ready) {
    const a = this.i32;
    for (let r = 0; r < SPIN; r++) if (ready()) return;
    for (;;) {
      const seen = Atomics.load(a, word);
      Atomics.store(a, flag, 1);
      if (ready()) { Atomics.store(a, flag, 0); return; }
      Atomics.wait(a, word, seen);
      Atomics.store(a, flag, 0);
      if (ready()) return;
    }
  }

  push(v) {
    const a = this.i32;
    const t = a[16]; // our own counter: only this thread writes it
    if (t - Atomics.load(a, 0) === this.cap) this.waitFor(0, 48, () => t - Atomics.load(a, 0) !== this.cap);
    this.data[t & this.mask] = v;
    Atomics.store(a, 16, t + 1);
    if (Atomics.load(a, 32) !== 0) Atomics.notify(a, 16, 1);
  }

  pop() {
    const a = this.i32;
    const h = a[0];
    if (h === Atomics.load(a, 16)) this.waitFor(16, 32, () => h !== Atomics.load(a, 16));
    const v = this.data[h & this.mask];
    Atomics.store(a, 0, h + 1);
    if (Atomics.load(a, 48) !== 0) Atomics.notify(a, 0, 1);
    return v;
  }

  /** Puts all of `src`, as many at a time as there is room for (typed-array copies). */
  pushMany(src) {
    const a = this.i32;
    for (let i = 0; i < src.length;) {
      const t = a[16];
      let free = this.cap - (t - Atomics.load(a, 0));
      if (free === 0) { this.waitFor(0, 48, () => t - Atomics.load(a, 0) !== this.cap); free = this.cap - (t - Atomics.load(a, 0)); }
      const k = Math.min(free, src.length - i, this.cap - (t & this.mask)); // up to the ring's end
      this.data.set(src.subarray(i, i + k), t & this.mask);
      Atomics.store(a, 16, t + k);
      if (Atomics.load(a, 32) !== 0) Atomics.notify(a, 16, 1);
      i += k;
    }
  }

  /** Takes at least one message (blocking), then what is there, up to into.length; the count. */
  popMany(into) {
    const a = this.i32;
    const h = a[0];
    if (h === Atomics.load(a, 16)) this.waitFor(16, 32, () => h !== Atomics.load(a, 16));
    const avail = Atomics.load(a, 16) - h;
    const k = Math.min(avail, into.length, this.cap - (h & this.mask));
    into.set(this.data.subarray(h & this.mask, (h & this.mask) + k));
    Atomics.store(a, 0, h + k);
    if (Atomics.load(a, 48) !== 0) Atomics.notify(a, 0, 1);
    return k;
  }
}

export class JsLockRing {
  static bytes(cap) { return 256 + cap * 8; }
  constructor(sab, cap) {
    this.i32 = new Int32Array(sab, 0, 64);
    this.data = new Float64Array(sab, 256, cap);
    this.cap = cap;
    this.m = new JsMutex(this.i32, 0);
  }

  /** Sleeps on sequence word `seq` (waiter count at seq + 1) until `ready()`; spins first. */
  waitFor(seq, ready) {
    const a = this.i32;
    for (let r = 0; r < SPIN; r++) if (ready()) return;
    const seen = Atomics.load(a, seq);
    Atomics.add(a, seq + 1, 1);
    if (!ready()) Atomics.wait(a, seq, seen);
    Atomics.sub(a, seq + 1, 1);
  }

  push(v) {
    const a = this.i32;
    for (;;) {
      this.m.lock();
      const count = a[2]; // HEAD and COUNT are guarded by the mutex: plain accesses
      if (count < this.cap) {
        let slot = a[1] + count;
        if (slot >= this.cap) slot -= this.cap;
        this.data[slot] = v;
        a[2] = count + 1;
        this.m.unlock();
        Atomics.add(a, 16, 1); // NOT_EMPTY progress, then wake a sleeping consumer if any
        if (Atomics.load(a, 17) !== 0) Atomics.notify(a, 16, 1);
        return;
      }
      this.m.unlock();
      this.waitFor(32, () => Atomics.load(a, 2) < this.cap);
    }
  }

  pop() {
    const a = this.i32;
    for (;;) {
      this.m.lock();
      const count = a[2];
      if (count > 0) {
        const h = a[1];
        const v = this.data[h];
        a[1] = h + 1 === this.cap ? 0 : h + 1;
        a[2] = count - 1;
        this.m.unlock();
        Atomics.add(a, 32, 1); // NOT_FULL progress
        if (Atomics.load(a, 33) !== 0) Atomics.notify(a, 32, 1);
        return v;
      }
      this.m.unlock();
      this.waitFor(16, () => Atomics.load(a, 2) > 0);
    }
  }
}
