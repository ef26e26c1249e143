// The in-wasm baseline: the bare futex mutex (Drepper mutex #3) in a few lines of WebAssembly
// text, assembled at bench time with binaryen (a devDependency). It is the floor under weft's
// `bench_mutex`: the same cmpxchg 0 -> 1 / xchg 0 pair, without owner, poison and held-list
// bookkeeping.
//
//   bench(ptr, n): n × { lock: cmpxchg 0->1 (else xchg 2 + wait until it was 0);
//                        unlock: xchg 0, notify one if it was 2 }
import binaryen from "binaryen";

const WAT = `(module
  (import "env" "memory" (memory 1 1 shared))
  (func $lock (param $p i32)
    (if (i32.eqz (i32.atomic.rmw.cmpxchg (local.get $p) (i32.const 0) (i32.const 1)))
      (then (return)))
    (loop $again
      (if (i32.atomic.rmw.xchg (local.get $p) (i32.const 2))
        (then
          (drop (memory.atomic.wait32 (local.get $p) (i32.const 2) (i64.const -1)))
          (br $again)))))
  (func $unlock (param $p i32)
    (if (i32.eq (i32.atomic.rmw.xchg (local.get $p) (i32.const 0)) (i32.const 2))
      (then (drop (memory.atomic.notify (local.get $p) (i32.const 1))))))
  (func (export "bench") (param $p i32) (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (call $lock (local.get $p))
        (call $unlock (local.get $p))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))`;

/** Instantiates the baseline; returns `bench(n)` running n lock+unlock pairs on its own word. */
export async function wasmMutexBaseline() {
  const mod = binaryen.parseText(WAT);
  mod.setFeatures(binaryen.Features.Atomics | binaryen.Features.BulkMemory);
  if (!mod.validate()) throw new Error("wasm-mutex baseline: invalid module");
  mod.optimize(); // inlines lock/unlock into the loop, as asc -O3 does for weft
  const bytes = mod.emitBinary();
  mod.dispose();
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  const bench = instance.exports.bench;
  return (n) => bench(64, n);
}
