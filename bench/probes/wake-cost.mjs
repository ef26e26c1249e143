#!/usr/bin/env node
// Probe: what waking a sleeping thread costs on this machine.
//
//   node bench/probes/wake-cost.mjs
//
// A worker sleeps in Atomics.wait; the main thread stores 1 and calls Atomics.notify, then spins
// until the worker answers. Prints the time spent INSIDE notify (the waker is stalled that long),
// the time until the worker ran, and notify's cost when nobody waits. Every futex hand-off in
// weft (agent_offer -> a sleeping worker, unlock -> a sleeping locker) pays the first figure.
import { Worker } from "node:worker_threads";

const i32 = new Int32Array(new SharedArrayBuffer(16)); // 0: go flag | 1: answer
const w = new Worker(`
  const { workerData } = require("node:worker_threads");
  const i32 = new Int32Array(workerData);
  for (;;) {
    Atomics.wait(i32, 0, 0);
    if (Atomics.load(i32, 0) === 2) break;
    Atomics.store(i32, 0, 0);
    Atomics.store(i32, 1, 1);
  }`, { eval: true, workerData: i32.buffer });
await new Promise((r) => w.once("online", r));
const now = () => Number(process.hrtime.bigint());
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1] / 1e3;
const inNotify = [], toRun = [];
for (let i = 0; i < 2000; i++) {
  // Give the worker time to be asleep again (it answered, then went back to Atomics.wait).
  for (const t = now(); now() - t < 30_000;);
  Atomics.store(i32, 1, 0);
  const a = now();
  Atomics.store(i32, 0, 1);
  Atomics.notify(i32, 0, 1);
  const b = now();
  while (Atomics.load(i32, 1) === 0);
  inNotify.push(b - a);
  toRun.push(now() - a);
}
let t = now();
for (let i = 0; i < 100_000; i++) Atomics.notify(i32, 2, 1);
const idle = (now() - t) / 100_000 / 1e3;
console.log(`notify waking a sleeper: ${med(inNotify).toFixed(2)} µs inside notify, worker running after ${med(toRun).toFixed(2)} µs (medians of 2000)`);
console.log(`notify with no waiter:   ${idle.toFixed(3)} µs`);
Atomics.store(i32, 0, 2);
Atomics.notify(i32, 0);
await w.terminate();
