// WaitGroup: crossbeam_utils::sync::WaitGroup over assembly/sync/waitgroup.ts.
//
//   const wg = new WaitGroup();
//   for (let i = 0; i < 4; i++) spawn([wg.clone()], (wg) => { work(); wg.drop(); });
//   wg.wait();                       // until every member has left
//
// Members and references. Each WaitGroup handle is a *member* or an *observer*. COUNT in shared
// memory counts members; REFS (the object header) counts handles, members and observers alike,
// plus member tokens in flight and waiters parked asynchronously, so the memory outlives them all.
//
//   new WaitGroup()       a member (COUNT = 1)
//   clone()               a new member (COUNT + 1)
//   drop()                a member leaves (COUNT - 1; the last one wakes the waiters)
//   wait*()               this handle leaves if it is a member, then waits for COUNT == 0; the
//                         handle stays usable as an observer (drop it, or wait again)
//   sending it            (spawn args, channel messages, a lock's value, a task result) the message
//                         carries one member. A member handle made by clone() and never sent before
//                         is *moved* into the message, membership and reference (the Rust idiom
//                         `let wg = wg.clone(); spawn(move || …)`): the handle is dropped. Sending
//                         any other handle adds a member and the sender stays what it was
//   receiving it          the decoded handle is that member; a spawned task's argument handles
//                         are dropped when the task ends, so `spawn([wg], f)` leaves at task end
//   intoRaw / fromRaw     the raw form carries one member (the handle's own, or a new one)
//
// So both `spawn([wg.clone()], (wg) => { …; wg.drop(); }); wg.wait()` and
// `spawn([wg], (wg) => …); wg.wait()` wait for the tasks. A member forgotten without drop() keeps
// waiters waiting (as a leaked clone does in Rust); waitTimeout/waitAsync({ timeout }) bound that.
//
// On the wire a member is a token object (TAG_WAITGROUP_MEMBER) owning a reference and the
// membership: decoding consumes it; a token dropped undelivered (an encoding that failed, a
// message freed unread, a lock value replaced) gives both back. So a failed send leaves COUNT as
// it was before the statement: `spawn([wg.clone(), notShareable])` throws with COUNT unchanged
// (the moved clone is gone with the message; any other handle keeps its membership).
// A lock slot reading its stored WaitGroup (which retains the token first) gets a new member and
// leaves the token in the slot.
import { engine, Engine, views } from "../engine";
import {
  SharedHandle, registerHandleType, adopt, takeAdopting, genOf, RawHandle, fromRawChecked, releaseRef, retainRef,
} from "../handle";
import { Code, fromCode, checkTimeout, TimeoutError, OutOfMemoryError, MainThreadBlockError } from "../errors";
import { waitAsync } from "../keepalive";

export class WaitGroup extends SharedHandle {
  readonly #e: Engine;
  readonly #i32: Int32Array;
  #member = true;
  /** Made by clone() and never sent: sending it moves it (see the header). */
  #fresh = false;

  /** A new group whose only member is this handle. */
  constructor() {
    const raw = takeAdopting() ?? createWaitGroup();
    super(raw.ptr, raw.gen);
    this.#e = engine();
    this.#i32 = new Int32Array(this.#e.memory.buffer); // covers the object: made after it
  }
  protected get tagName(): string { return "TAG_WAITGROUP"; }

  /** Re-creates a WaitGroup from `intoRaw()` values (a member), checked against the heap. */
  static fromRaw(raw: RawHandle): WaitGroup { return fromRawChecked("TAG_WAITGROUP", raw, "WaitGroup"); }

  /** Whether this handle counts as a member (see the header). */
  get isMember(): boolean { return this.#member && !this.isDropped; }

  /** Members right now (a snapshot). */
  count(): number { return this.#e.x.waitgroup_count(this.ptr); }

  /** A new member handle. */
  clone(): this {
    const ptr = this.ptr;
    this.#e.x.waitgroup_join(ptr);
    let c: this;
    try { c = super.clone(); } catch (e) { this.#leave(ptr); throw e; }
    c.#fresh = true;
    return c;
  }

  /** Leaves the group (if a member) and gives the reference back. */
  drop(): void {
    if (this.isDropped) return;
    if (this.#member) { this.#member = false; this.#leave(this.ptr); }
    super.drop();
  }

  /** Leaves the group (if a member) and blocks until every member has left. */
  wait(): void {
    const ptr = this.ptr;
    if (!this.#e.canBlock) throw new MainThreadBlockError("WaitGroup.wait", "waitAsync()");
    this.#becomeObserver(ptr);
    const code = this.#e.x.waitgroup_wait(ptr, Infinity);
    if (code !== Code.SUCCESS) throw fromCode(code, "WaitGroup");
  }

  /** Like wait, for at most `ms` milliseconds: false on timeout (this handle has left either way). */
  waitTimeout(ms: number): boolean {
    checkTimeout(ms, "WaitGroup.waitTimeout");
    const ptr = this.ptr;
    if (!this.#e.canBlock && ms !== 0) throw new MainThreadBlockError("WaitGroup.waitTimeout", "waitAsync({ timeout })");
    this.#becomeObserver(ptr);
    const code = this.#e.x.waitgroup_wait(ptr, ms);
    if (code === Code.SUCCESS) return true;
    if (code === Code.TIMEOUT) return false;
    throw fromCode(code, "WaitGroup");
  }

  /** Leaves the group (if a member) and resolves once every member has left; never blocks. */
  async waitAsync(opts: { timeout?: number } = {}): Promise<void> {
    const timeout = checkTimeout(opts?.timeout ?? Infinity, "WaitGroup.waitAsync");
    const ptr = this.ptr;
    this.#becomeObserver(ptr);
    const idx = (ptr + this.#e.L.W_COUNT) >>> 2;
    if (Atomics.load(this.#i32, idx) === 0) return;
    this.#e.x.obj_retain(ptr); // our own reference while parked, even if this handle is dropped meanwhile
    try {
      const deadline = performance.now() + timeout;
      // Pairs with the futexWake in wgLeave: the last member to leave wakes every waiter on COUNT.
      for (let c = Atomics.load(this.#i32, idx); c !== 0; c = Atomics.load(this.#i32, idx)) {
        const left = deadline - performance.now();
        if (left <= 0) throw new TimeoutError("WaitGroup.waitAsync", timeout);
        await waitAsync(this.#i32, idx, c, left);
      }
    } finally {
      releaseRef(ptr);
    }
  }

  /** Consumes the handle into raw {ptr, gen}; the raw form carries one member. */
  intoRaw(): RawHandle {
    const ptr = this.ptr;
    if (!this.#member) this.#e.x.waitgroup_join(ptr);
    this.#member = false;
    this.#fresh = false;
    return super.intoRaw();
  }

  /** @internal wire form: a member token (see the header). */
  toWire(): [number, number, number] {
    const ptr = this.ptr;
    const { x, L } = this.#e;
    const moves = this.#member && this.#fresh;
    retainRef(ptr, "WaitGroup"); // the token's reference
    if (!moves) x.waitgroup_join(ptr); // the token's membership (else it takes this handle's)
    const token = x.waitgroup_member_new(ptr, this.gen);
    if (token === 0) {
      if (!moves) this.#leave(ptr);
      releaseRef(ptr);
      throw new OutOfMemoryError(L.WG_MEMBER_SIZE);
    }
    this.#fresh = false;
    if (moves) {
      // Moved: the token took the membership; give this handle's reference back (the token holds one).
      this.#member = false;
      this.drop();
    }
    return [L.TAG_WAITGROUP_MEMBER, token, genOf(token)];
  }

  #becomeObserver(ptr: number): void {
    if (!this.#member) return;
    this.#member = false;
    this.#leave(ptr);
  }

  #leave(ptr: number): void {
    const code = this.#e.x.waitgroup_leave(ptr);
    if (code !== Code.SUCCESS) throw fromCode(code, "WaitGroup");
  }
}

function createWaitGroup(): RawHandle {
  const { x, L } = engine();
  const ptr = x.waitgroup_new();
  if (ptr === 0) throw new OutOfMemoryError(L.WAITGROUP_SIZE);
  return { ptr, gen: genOf(ptr) };
}

function tokenTarget(token: number): RawHandle {
  const { L } = engine();
  const V = views();
  return { ptr: V.u32[(token + L.WM_WG) >>> 2], gen: V.u32[(token + L.WM_WG_GEN) >>> 2] };
}

registerHandleType("TAG_WAITGROUP", {
  name: "WaitGroup",
  // clone() and fromRaw: the new handle is the member they counted.
  make: (ptr, gen) => adopt({ ptr, gen }, () => new WaitGroup()),
});

registerHandleType("TAG_WAITGROUP_MEMBER", {
  name: "WaitGroup",
  // A token being decoded (handleFromWire checked it). The codec hands over the token's only
  // reference: the handle takes its membership and WaitGroup reference, and the token is freed.
  // A lock slot reading its value retained the token first: the token stays, the reader gets a
  // new member and reference of its own.
  make: (token) => {
    const { x } = engine();
    const wg = tokenTarget(token);
    if (x.obj_release(token) === 0) {
      x.obj_free(token);
    } else {
      retainRef(wg.ptr, "WaitGroup");
      x.waitgroup_join(wg.ptr);
    }
    return adopt(wg, () => new WaitGroup());
  },
  // A token dropped undelivered: its membership leaves and its reference is given back.
  destroy: (token) => {
    const wg = tokenTarget(token);
    engine().x.waitgroup_leave(wg.ptr);
    releaseRef(wg.ptr);
  },
});
