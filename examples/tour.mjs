#!/usr/bin/env node
// A tour of weft's primitives: the README's examples, runnable (tests/examples.test.ts runs it).
//   node examples/tour.mjs
import * as weft from "weft";

await weft.init();

// std::thread: functions are sent as source, arguments are cloned, handles are shared
const h = weft.spawn([20, 22], (a, b) => a + b, { name: "adder" });
console.log("spawn/join:", await h.join());

// Arc<Mutex<i32>>: the value lives in shared memory
const counter = new weft.Mutex(0);
const hs = [];
for (let i = 0; i < 10; i++) {
  hs.push(weft.spawn([counter.clone()], (c) => { const g = c.lock(); g.value += 1; g.unlock(); }));
}
for (const h of hs) await h.join();
// (`using g = counter.lock()` releases at the end of the block where the syntax is supported:
// TypeScript, bundlers, Node >= 24; this file runs on Node 20, so it unlocks explicitly.)
{ const g = counter.lock(); console.log("Mutex counter:", g.value); g.unlock(); }

// Mutex with a structured value, timed and async locking, poisoning
const m = new weft.Mutex({ hits: 0 });
{ const g = m.lock(); g.value.hits++; g.unlock(); }
const g1 = m.tryLockFor(10); g1.unlock();
const g2 = await m.lockAsync({ timeout: 100 }); g2.unlock();
await weft.spawn([m], (m) => { m.lock(); throw new Error("boom"); }).join().catch((e) => console.log("thread panicked:", e.originalName));
try { m.lock(); } catch (e) { if (e instanceof weft.PoisonError) { const g = e.intoInner(); console.log("recovered after poison:", g.value); g.unlock(); } }
m.clearPoison();

// RwLock
const cfg = new weft.RwLock({ level: 1 });
{ const r = cfg.read(); console.log("RwLock read:", r.value.level); r.unlock(); }
{ const w = cfg.write(); w.value = { level: 2 }; w.unlock(); }

// Condvar: a thread bumps hits from 0 to 3, notifying each time; main waits until it reads 3
const cv = new weft.Condvar();
{ const g = m.lock(); g.value = { hits: 0 }; g.unlock(); }
weft.spawn([m, cv], (m, cv) => { for (let i = 0; i < 3; i++) { const g = m.lock(); g.value.hits++; g.unlock(); cv.notifyAll(); } });
{ let g = m.lock(); g = cv.waitWhile(g, (v) => v.hits < 3); console.log("Condvar: hits reached", g.value.hits); g.unlock(); }

// Barrier, Once, OnceLock, Semaphore, WaitGroup
const b = new weft.Barrier(2);
const other = weft.spawn([b], (b) => b.wait().isLeader);
const { isLeader } = b.wait();
console.log("Barrier: exactly one leader:", isLeader !== (await other.join()));
const once = new weft.Once();
let runs = 0;
once.callOnce(() => runs++); once.callOnce(() => runs++);
console.log("Once ran", runs, "time");
const cell = new weft.OnceLock();
console.log("OnceLock:", cell.getOrInit(() => 41 + 1), cell.getOrInit(() => 0));
const sem = new weft.Semaphore(2);
sem.acquire(); sem.release();
const wg = new weft.WaitGroup();
for (let i = 0; i < 3; i++) weft.spawn([wg.clone()], (wg) => { wg.drop(); });
wg.wait();
console.log("WaitGroup: all 3 threads done");

// Atomics (std::sync::atomic)
const n = new weft.AtomicU32(0);
n.fetchAdd(1, weft.Ordering.Relaxed);
console.log("compareExchange:", n.compareExchange(1, 5, weft.Ordering.AcqRel, weft.Ordering.Acquire));
try { n.load(weft.Ordering.Release); } catch (e) { console.log("Release load:", e.name); }

// SharedArray: a typed array in the engine's memory, shared with every thread
const data = new weft.SharedArray(Float64Array, 1_000_000);
await weft.spawn([data], (d) => { d.array.fill(1); }).join();
console.log("SharedArray sum:", data.array.reduce((s, v) => s + v, 0));

// Channels (crossbeam-channel): bounded, unbounded, rendezvous; numbers, bytes or structured
// values. The thread gets its own sender (dropped when it ends); main closes its own, like Rust's
// drop(tx), so the loop ends.
const [tx, rx] = weft.bounded(16, { of: "f64" });
weft.spawn([tx], (tx) => { for (let i = 1; i <= 100; i++) tx.send(i); });
tx.close();
let received = 0;
for (const v of rx) received += v;
console.log("channel sum:", received);

// Structured messages on an unbounded channel, and select over two channels.
const [words, wordsRx] = weft.unbounded({ of: "any" });
const [ticks, ticksRx] = weft.bounded(1);
weft.spawn([words], (w) => { for (const s of ["hi", "from", "the", "thread"]) w.send({ s }); });
words.close();
ticks.send(1);
const seen = [];
for (;;) {
  const r = weft.select([weft.recv(wordsRx), weft.recv(ticksRx)], { timeout: 5000, default: true });
  if (r.index === -1 || r.disconnected) break;       // nothing within 5 s, or words all received
  seen.push(r.index === 0 ? r.value.s : `tick`);
}
let tickCount = seen.filter((w) => w === "tick").length;
try { ticksRx.tryRecv(); tickCount++; } catch { /* the select took it */ }   // a disconnected arm may win first
console.log("select:", seen.filter((w) => w !== "tick").join(" "), `(+${tickCount} tick)`);
ticks.close(); ticksRx.close(); wordsRx.close();

// rayon: join on the default work-stealing pool (functions travel as source, like spawn's)
const [two, six] = await weft.join(() => 1 + 1, () => 2 * 3);
console.log("join:", two, six);

// std::thread helpers and scope
console.log("current thread:", weft.thread.current().name);
const parked = weft.spawn(() => { globalThis.weft.thread.park(); return "unparked"; });
parked.thread.unpark();
console.log("park/unpark:", await parked.join());
const sums = await weft.scope(async (s) => {
  const a = s.spawn(() => 1 + 1), c = s.spawn(() => 2 + 2);
  return (await a.join()) + (await c.join());
});
console.log("scope:", sums);

await weft.shutdown();
