#!/usr/bin/env node
// Probe: how long weft's workers spin before they sleep, on this machine.
//
//   node bench/probes/spin-window.mjs
//
// Replays assembly/engine/dispatch.ts agentTake's idle loop in wasm: 65 rounds of spin(r & 7)
// (4 << round atomic loads of one header word, assembly/sync/futex.ts) plus one load of the state
// per round. A task dispatched later than this after the worker's previous task pays a futex wake
// (see wake-cost.mjs).
import binaryen from "binaryen";

const mod = binaryen.parseText(`(module (import "env" "memory" (memory 1 1 shared))
  (func (export "idle") (local $r i32) (local $i i32) (local $n i32)
    (loop $round
      (local.set $n (i32.shl (i32.const 4) (i32.and (local.get $r) (i32.const 7))))
      (local.set $i (i32.const 0))
      (loop $spin
        (drop (i32.atomic.load (i32.const 52)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $spin (i32.lt_s (local.get $i) (local.get $n))))
      (drop (i32.atomic.load (i32.const 1024)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.le_s (local.get $r) (i32.const 64))))))`);
mod.setFeatures(binaryen.Features.Atomics);
if (!mod.validate()) throw new Error("invalid probe module");
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const { instance } = await WebAssembly.instantiate(mod.emitBinary(), { env: { memory } });
const xs = [];
for (let k = 0; k < 9; k++) {
  const t = process.hrtime.bigint();
  for (let j = 0; j < 1000; j++) instance.exports.idle();
  xs.push(Number(process.hrtime.bigint() - t) / 1000 / 1000);
}
console.log(`agentTake spins ${[...xs].sort((a, b) => a - b)[4].toFixed(2)} µs before futex-waiting (median of 9 × 1000)`);
