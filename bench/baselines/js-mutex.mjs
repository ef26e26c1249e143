// The plain-JS baseline: a futex mutex over one Int32 of a SharedArrayBuffer (Drepper,
// "Futexes are tricky", mutex #3 — the same algorithm as weft's assembly/sync/mutex.ts, minus
// owner, poison, held-list and guard objects).
//
//   state 0 unlocked | 1 locked | 2 locked, maybe sleepers (unlock must notify one)
//
// lock:   cmpxchg 0 -> 1 (fast path); else spin a little, then xchg 2 and Atomics.wait on 2.
// unlock: xchg 0; if the old state was 2, Atomics.notify one sleeper.
// Atomics.wait pairs with the Atomics.notify in unlock: a sleeper always set the word to 2 first,
// so the unlock that follows sees 2 and wakes it.

export class JsMutex {
  /** `i32` over a SharedArrayBuffer, `index` the state word (0 = unlocked). */
  constructor(i32, index = 0) {
    this.i32 = i32;
    this.index = index;
  }

  /** A fresh mutex over its own 4-byte SharedArrayBuffer. */
  static create() {
    return new JsMutex(new Int32Array(new SharedArrayBuffer(4)), 0);
  }

  lock() {
    if (Atomics.compareExchange(this.i32, this.index, 0, 1) !== 0) this.lockCold();
  }

  lockCold() {
    const { i32, index } = this;
    for (let r = 0; r < 100; r++) {
      if (Atomics.load(i32, index) === 0 && Atomics.compareExchange(i32, index, 0, 1) === 0) return;
    }
    while (Atomics.exchange(i32, index, 2) !== 0) Atomics.wait(i32, index, 2);
  }

  tryLock() {
    return Atomics.compareExchange(this.i32, this.index, 0, 1) === 0;
  }

  unlock() {
    if (Atomics.exchange(this.i32, this.index, 0) === 2) Atomics.notify(this.i32, this.index, 1);
  }
}
