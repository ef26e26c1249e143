#!/usr/bin/env node
// Probe: what one uncontended lock + unlock costs in wasm, by ingredient, on this machine.
//
//   node bench/probes/wasm-atomics-cost.mjs
//
// Each variant loops n times over one lock word (hand-written wasm, assembled with binaryen):
//   rmw2              cmpxchg 0->1, xchg 0                       (the bare futex mutex)
//   rmw2+5 atomic st  + 5 i32.atomic.store (what weft's fast path does for OWNER set/clear,
//                       NEXT_HELD, A_HELD push/pop; SeqCst stores are `xchg` on x64)
//   rmw2+5 plain st   the same 5 stores as plain i32.store
//   js Atomics rmw2   Atomics.compareExchange + Atomics.exchange from JS (the plain-JS baseline)
import binaryen from "binaryen";

const LOCK = `(drop (i32.atomic.rmw.cmpxchg (local.get $p) (i32.const 0) (i32.const 1)))`;
const UNLOCK = `(drop (i32.atomic.rmw.xchg (local.get $p) (i32.const 0)))`;
const stores = (op) => `
  (${op} offset=4 (local.get $p) (i32.const 3))
  (${op} offset=12 (local.get $p) (i32.atomic.load offset=64 (local.get $p)))
  (${op} offset=64 (local.get $p) (local.get $p))
  (${op} offset=64 (local.get $p) (i32.atomic.load offset=12 (local.get $p)))
  (${op} offset=4 (local.get $p) (i32.const 0))`;
const variants = {
  "rmw2": `${LOCK} ${UNLOCK}`,
  "rmw2+5 atomic st": `${LOCK} ${stores("i32.atomic.store")} ${UNLOCK}`,
  "rmw2+5 plain st": `${LOCK} ${stores("i32.store")} ${UNLOCK}`,
};
const funcs = Object.entries(variants).map(([k, body], i) => `
  (func (export "v${i}") (param $p i32) (param $n i32) (local $i i32)
    (loop $l ${body}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (local.get $n)))))`).join("");
const mod = binaryen.parseText(`(module (import "env" "memory" (memory 1 1 shared)) ${funcs})`);
mod.setFeatures(binaryen.Features.Atomics);
if (!mod.validate()) throw new Error("invalid probe module");
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const { instance } = await WebAssembly.instantiate(mod.emitBinary(), { env: { memory } });
const i32 = new Int32Array(memory.buffer);
const n = 10_000_000;
const time = (f) => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / n; };
const rows = Object.keys(variants).map((k) => [k, []]);
rows.push(["js Atomics rmw2", []]);
for (let rep = 0; rep < 7; rep++) {
  Object.keys(variants).forEach((_, i) => rows[i][1].push(time(() => instance.exports[`v${i}`](256, n))));
  rows.at(-1)[1].push(time(() => { for (let i = 0; i < n; i++) { Atomics.compareExchange(i32, 64, 0, 1); Atomics.exchange(i32, 64, 0); } }));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [k, xs] of rows) console.log(`${k.padEnd(18)} ${med(xs).toFixed(2).padStart(6)} ns per lock+unlock (median of 7)`);
