// Arc-like handles: JS objects naming a shared object by {ptr, gen}.
//
// A handle owns one reference (REFS in the object header). `clone()` takes another (+1),
// `drop()` / `using` / `[Symbol.dispose]` gives it back (-1); the last one frees the object,
// after the type's `destroy` hook released what the object owns. A FinalizationRegistry gives
// back the references of handles the program forgot to drop (a backstop, not the plan).
// Handles re-created from raw values or from messages are checked (`obj_check`: live block,
// type tag, generation) before they are trusted.
import { engine, engineOrNull, views } from "./engine";
import { Code, DroppedError, InvalidHandleError, InvalidArgumentError } from "./errors";

export interface RawHandle { ptr: number; gen: number; }

interface HandleType {
  name: string;
  make(ptr: number, gen: number): SharedHandle;
  destroy?(ptr: number): void;
}

/** Handle types by tag (the tag constants come from the engine layout at registration). */
const byTagName = new Map<string, HandleType>();
const byTag = new Map<number, HandleType>();

/** Registers a handle type under its layout tag name, e.g. "TAG_MUTEX". */
export function registerHandleType(tagName: string, t: HandleType): void {
  byTagName.set(tagName, t);
  byTag.clear(); // rebuilt lazily against the engine's layout
}

function typeOfTag(tag: number): HandleType | undefined {
  if (byTag.size === 0) {
    const L = engine().L;
    for (const [name, t] of byTagName) byTag.set(L[name], t);
  }
  return byTag.get(tag);
}

// A forgotten handle gives its reference back when collected — unless the engine it belonged to
// was shut down meanwhile (then `ptr` would name memory of another engine).
const finalizer = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<{ ptr: number; memory: WebAssembly.Memory }>(({ ptr, memory }) => {
    if (engineOrNull()?.memory === memory) releaseRef(ptr);
  })
  : null;

/** Gives back one reference to `ptr`; destroys and frees the object if it was the last. */
export function releaseRef(ptr: number): void {
  const { x } = engine();
  if (x.obj_release(ptr) !== 0) return;
  // REFS reached 0: no other handle exists, so nothing else reads the object any more.
  const tag = views().u32[ptr >>> 2];
  typeOfTag(tag)?.destroy?.(ptr);
  x.obj_free(ptr);
}

/** Takes one more reference to `ptr` (must be alive). */
export function retainRef(ptr: number, what: string): void {
  if (engine().x.obj_retain(ptr) !== Code.SUCCESS) throw new InvalidHandleError(what);
}

export abstract class SharedHandle {
  #ptr: number;
  readonly #gen: number;

  /** Adopts one reference to the object at `ptr` (already counted in its header). */
  protected constructor(ptr: number, gen: number) {
    this.#ptr = ptr;
    this.#gen = gen;
    finalizer?.register(this, { ptr, memory: engine().memory }, this);
  }

  /** The tag name in the engine layout (e.g. "TAG_MUTEX"). */
  protected abstract get tagName(): string;

  /** Address of the shared object; throws DroppedError after drop(). */
  get ptr(): number {
    if (this.#ptr === 0) throw new DroppedError(this.constructor.name);
    return this.#ptr;
  }
  get gen(): number { return this.#gen; }
  get isDropped(): boolean { return this.#ptr === 0; }

  /** Another handle to the same object (Arc::clone). */
  clone(): this {
    const ptr = this.ptr;
    retainRef(ptr, this.constructor.name);
    return typeOfTag(engine().L[this.tagName])!.make(ptr, this.#gen) as this;
  }

  /** Gives this handle's reference back; the object is freed when the last handle drops. */
  drop(): void {
    const ptr = this.#ptr;
    if (ptr === 0) return;
    if (!this.canDrop()) { this.dropDeferred = true; return; }
    this.#ptr = 0;
    this.released();
    finalizer?.unregister(this);
    releaseRef(ptr);
  }
  [Symbol.dispose](): void { this.drop(); }

  /** Called once this handle no longer names its object (dropped or turned into raw). */
  protected released(): void {}

  /** Set when drop() was asked while guards of this handle were live; they finish it. */
  protected dropDeferred = false;
  /** Subclasses with guards return false while a guard of this handle is live. */
  protected canDrop(): boolean { return true; }
  protected finishDeferredDrop(): void { if (this.dropDeferred) { this.dropDeferred = false; this.drop(); } }

  /** Consumes the handle into raw {ptr, gen} without giving back its reference (Arc::into_raw). */
  intoRaw(): RawHandle {
    const raw = { ptr: this.ptr, gen: this.#gen };
    this.#ptr = 0;
    this.released();
    finalizer?.unregister(this);
    return raw;
  }

  /** @internal wire form for the codec: [tag, ptr, gen]; takes a reference for the message. */
  toWire(): [number, number, number] {
    const ptr = this.ptr;
    retainRef(ptr, this.constructor.name);
    return [engine().L[this.tagName], ptr, this.#gen];
  }
}

/** Re-creates a handle from [tag, ptr, gen], adopting the reference the message carried. */
export function handleFromWire(tag: number, ptr: number, gen: number): SharedHandle {
  const t = typeOfTag(tag);
  if (t === undefined || engine().x.obj_check(ptr >>> 0, tag >>> 0, gen >>> 0) !== Code.SUCCESS) {
    throw new InvalidHandleError(t?.name ?? "handle");
  }
  return t.make(ptr, gen);
}

/**
 * Re-creates a handle of class `tagName` from raw values (Arc::from_raw): validated, and it adopts
 * the reference that `intoRaw` left behind.
 */
export function fromRawChecked<T extends SharedHandle>(tagName: string, raw: RawHandle, what: string): T {
  if (raw === null || typeof raw !== "object" || !Number.isInteger(raw.ptr) || !Number.isInteger(raw.gen)) {
    throw new InvalidArgumentError(`${what}.fromRaw: expected { ptr, gen } integers`);
  }
  const { x, L } = engine();
  if (raw.ptr <= 0 || raw.ptr > 0xFFFFFFFF || x.obj_check(raw.ptr >>> 0, L[tagName], raw.gen >>> 0) !== Code.SUCCESS) {
    throw new InvalidHandleError(what);
  }
  return typeOfTag(L[tagName])!.make(raw.ptr, raw.gen) as T;
}

// Construction protocol: a handle class's constructor either creates a new object or, when the
// module-level `adopting` slot is set (by `adopt`), wraps an existing one without creating.
let adopting: RawHandle | null = null;

/** Runs `make` (which calls a handle constructor) so that the constructor adopts `raw`. */
export function adopt<T>(raw: RawHandle, make: () => T): T {
  adopting = raw;
  try { return make(); } finally { adopting = null; }
}

/** For constructors: the raw handle to adopt, or null to create a new object. */
export function takeAdopting(): RawHandle | null {
  const r = adopting;
  adopting = null;
  return r;
}

/** Generation of a freshly created object (header word GEN). */
export function genOf(ptr: number): number {
  return views().u32[(ptr + engine().L.O_GEN) >>> 2];
}
