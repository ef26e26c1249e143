// Internal hooks for bench/ (not part of the API; may change without notice): direct access to
// this thread's engine exports, to time the wasm primitives without the JS layer in between.
import { engine } from "./engine";
import type { Exports } from "./layout";

/** @internal */
export const __bench = {
  /** This thread's engine exports (e.g. `bench_mutex(ptr, n)`, `mutex_lock`, `mutex_unlock`). */
  exports(): Exports { return engine().x; },
  /** The layout constants read from the engine (offsets, tags, codes). */
  layout(): Record<string, number> { return engine().L; },
};
