// Channels against Go's runtime tests (src/runtime/chan_test.go), where they add cases beyond
// crossbeam's suites (channel-array/list/zero/select tests). Go's sleeps ("make sure the goroutine
// is queued") are replaced by waitUntilBlocked, which watches the channel's own atomic words until
// the peer is parked; everything else synchronises through channels, semaphores and atomics.
//
// Here, by Go's names:
// - TestChan, over capacities 0, 1, 10 and unbounded: a receive from an empty channel blocks until
//   a send (and a non-blocking receive does not block); a send to a full channel blocks until a
//   receive; a closed channel yields its buffered values in order, then RecvError every time;
//   close wakes a blocked receive (and a blocked select); FIFO per sender; P senders x P
//   receivers each value P times; len / cap.
// - TestNonblockRecvRace, TestNonblockSelectRace(2) (as far as weft promises: see below),
//   TestSelfSelect, TestSelectStress (also with 16 concurrent selectAsync loops),
//   TestPseudoRandomSend (also with the select parked first: found the registration-order bias
//   fixed in assembly/channel/select.ts), TestMultiConsumer, TestSelectDuplicateChannel,
//   TestChanSendInterface (a select send to a full channel with default sends nothing; values
//   with handles leak nothing).
// - crossbeam's drops over the same four flavors with "any" messages carrying handles: received,
//   refused (Full / Timeout / Disconnected: the value comes back) or buffered at the drop.
// - From test/chan/: doubleselect (one case per select, no duplicates), select2 (selects leave
//   no memory behind), select6 (Go issue 2075: wait queues stay intact), select7 (every receive
//   form meets every send form).
// Not here, and why:
// - Go's receive from a closed channel returns the zero value and ok=false: weft follows
//   crossbeam (RecvError / kind "Disconnected"), tested as such in TestChan.
// - close(c) of a closed channel and send on a closed channel panic in Go: weft has no close of
//   a channel, only of a handle (Rust's drop); a closed handle throws DroppedError (channel-*
//   tests), and a send after the receivers are gone is SendError.
// - nil channels (a select arm on nil never fires): weft has no nil channel; leave the
//   operation out of the list, as TestSelectStress does here.
// - TestShrinkStackDuringBlockedSend and other stack/GC tests: wasm stacks never move; the
//   benchmarks (BenchmarkChan*, BenchmarkSelect*) belong in bench/.
// - TestNonblockSelectRace in Go's strict form: Go locks every channel of a select at once, so a
//   select with default sees one instant of all its channels. weft, like crossbeam, tries the
//   operations one after another (from a random start), so a select with default may miss a
//   message that moved from one channel to another during the pass. What weft does promise, and
//   what is tested: a message that is there for the whole pass is never missed.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";
import { waitUntilBlocked } from "./channel-wait";

useWeft(4);

type Pair = [weft.Sender<number>, weft.Receiver<number>];

/** The four kinds of channel Go's matrix runs over (Go's TestChan runs caps 0..199). */
const CAPS: [string, number][] = [["cap 0", 0], ["cap 1", 1], ["cap 10", 10], ["unbounded", Infinity]];

function make(cap: number): Pair {
  return (cap === Infinity ? weft.unbounded({ of: "i32" }) : weft.bounded(cap, { of: "i32" })) as Pair;
}

/** How many messages fill the channel (an unbounded one never fills: 10 stand in). */
const fill = (cap: number): number => (cap === Infinity ? 10 : cap);

const SeqCst = weft.Ordering.SeqCst;

describe("TestChan", () => {
  for (const [name, cap] of CAPS) {
    test(`TestChan (${name}): a receive from an empty channel blocks until a send; a non-blocking one does not block`, async () => {
      const [tx, rx] = make(cap);
      const got = new weft.AtomicI32(0);
      const hs = [0, 1].map(() => weft.spawn([rx, got], (rx, got) => {
        const v = rx.recv();
        got.fetchAdd(1, (globalThis as any).weft.Ordering.SeqCst);
        return v;
      }));
      waitUntilBlocked(rx, "recv", 2);
      expect(got.load(SeqCst)).toBe(0);
      let e: any;
      try { rx.tryRecv(); } catch (x) { e = x; }
      expect(e.kind).toBe("Empty");
      expect(weft.select([weft.recv(rx)], { default: true })).toEqual({ index: -1, disconnected: false });
      tx.send(0); tx.send(0); // on a rendezvous channel each send pairs with a waiting receiver
      expect(await Promise.all(hs.map((h) => h.join()))).toEqual([0, 0]);
      expect(got.load(SeqCst)).toBe(2);
      got.drop(); tx.close(); rx.close();
    });

    test(`TestChan (${name}): a send to a full channel blocks until a receive; a non-blocking one does not block`, async () => {
      const [tx, rx] = make(cap);
      if (cap === Infinity) {
        // Never full: no send blocks, no trySend is Full, a select send is always ready.
        for (let i = 0; i < 1000; i++) tx.trySend(i);
        expect(weft.select([weft.send(tx, 1000)], { default: true })).toEqual({ index: 0, disconnected: false });
        expect(rx.len).toBe(1001);
        tx.close(); rx.close();
        return;
      }
      for (let i = 0; i < cap; i++) tx.send(i);
      const sent = new weft.AtomicI32(0);
      const h = weft.spawn([tx, sent], (tx, sent) => {
        tx.send(-1);
        sent.store(1, (globalThis as any).weft.Ordering.SeqCst);
      });
      waitUntilBlocked(rx, "send");
      expect(sent.load(SeqCst)).toBe(0);
      let e: any;
      try { tx.trySend(-2); } catch (x) { e = x; }
      expect([e.kind, e.value]).toEqual(["Full", -2]);
      expect(weft.select([weft.send(tx, -3)], { default: true })).toEqual({ index: -1, disconnected: false });
      expect(sent.load(SeqCst)).toBe(0);
      expect(rx.recv()).toBe(cap === 0 ? -1 : 0);
      await h.join();
      expect(sent.load(SeqCst)).toBe(1);
      tx.close();
      expect([...rx]).toEqual(cap === 0 ? [] : [...Array.from({ length: cap - 1 }, (_, i) => i + 1), -1]);
      sent.drop(); rx.close();
    });

    test(`TestChan (${name}): a closed channel gives its buffered values in order, then RecvError every time`, async () => {
      const [tx, rx] = make(cap);
      const n = fill(cap);
      for (let i = 0; i < n; i++) tx.send(i);
      tx.close();
      for (let i = 0; i < n; i++) expect(rx.recv()).toBe(i);
      for (let k = 0; k < 2; k++) {
        expect(() => rx.recv()).toThrow(weft.RecvError);
        let e: any;
        try { rx.tryRecv(); } catch (x) { e = x; }
        expect(e.kind).toBe("Disconnected");
        try { rx.recvTimeout(30_000); } catch (x) { e = x; }
        expect(e.kind).toBe("Disconnected");
        expect(weft.select([weft.recv(rx)])).toEqual({ index: 0, disconnected: true });
        await expect(rx.recvAsync()).rejects.toBeInstanceOf(weft.RecvError);
      }
      rx.close();
    });

    test(`TestChan (${name}): close wakes a blocked receive and a blocked select`, async () => {
      const [tx, rx] = make(cap);
      const r = weft.spawn([rx], (rx) => { try { rx.recv(); return "received"; } catch (e: any) { return e.name; } });
      const s = weft.spawn([rx], (rx) => {
        const w = (globalThis as any).weft;
        return w.select([w.recv(rx)]);
      });
      rx.close();
      waitUntilBlocked(tx, "recv", 2);
      tx.close();
      expect(await r.join()).toBe("RecvError");
      expect(await s.join()).toEqual({ index: 0, disconnected: true });
    });

    test(`TestChan (${name}): FIFO from one sender (recv, then recvAsync); 4 senders x 4 receivers get each value 4 times`, async () => {
      const [tx, rx] = make(cap);
      for (let round = 0; round < 2; round++) {
        const h = weft.spawn([tx], (tx) => { for (let i = 0; i < 100; i++) tx.send(i); });
        const got: number[] = [];
        for (let i = 0; i < 100; i++) got.push(round === 0 ? rx.recv() : await rx.recvAsync());
        expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
        await h.join();
      }
      const P = 4;
      const L = stress(250);
      const counts = new weft.SharedArray(Int32Array, L);
      const senders = Array.from({ length: P }, () => weft.spawn([tx, L], (tx, L) => { for (let i = 0; i < L; i++) tx.send(i); }));
      const receivers = Array.from({ length: P }, () => weft.spawn([rx, L, counts], (rx, L, counts) => {
        for (let i = 0; i < L; i++) Atomics.add(counts.array, rx.recv(), 1);
      }));
      await Promise.all([...senders, ...receivers].map((h) => h.join()));
      expect(Array.from(counts.array).every((c) => c === P)).toBe(true);
      expect(rx.isEmpty()).toBe(true);
      counts.drop(); tx.close(); rx.close();
    });

    test(`TestChan (${name}): len and cap`, () => {
      const [tx, rx] = make(cap);
      expect([tx.len, tx.capacity, rx.len, rx.capacity]).toEqual([0, cap, 0, cap]);
      for (let i = 0; i < fill(cap); i++) tx.send(i);
      expect([tx.len, tx.capacity, rx.len, rx.capacity]).toEqual([fill(cap), cap, fill(cap), cap]);
      tx.close(); rx.close();
    });
  }
});

describe("drops over every flavor", () => {
  for (const [name, cap] of CAPS) {
    test(`drops (${name}): "any" messages with handles, received, refused (Full / Timeout / Disconnected) or buffered at the drop, each freed exactly once`, async () => {
      const steps = stress(200);
      const before = weft.stats();
      const [tx, rx] = cap === Infinity ? weft.unbounded({ of: "any" }) : weft.bounded(cap, { of: "any" });
      const seen = new weft.SharedArray(Int32Array, steps);
      const r = weft.spawn([rx, steps, seen], (rx, steps, seen) => {
        const w = (globalThis as any).weft;
        for (let k = 0; k < steps; k++) {
          const m = rx.recv() as any;
          if (m.a.load(w.Ordering.SeqCst) !== m.i) return `message ${m.i} carries ${m.a.load(w.Ordering.SeqCst)}`;
          Atomics.add(seen.array, m.i, 1);
          m.a.drop();
        }
        return "ok";
      });
      const s = weft.spawn([tx, steps], (tx, steps) => {
        const w = (globalThis as any).weft;
        for (let k = 0; k < steps; k++) { const a = new w.AtomicI32(k); tx.send({ i: k, a }); a.drop(); }
      });
      await s.join();
      expect(await r.join()).toBe("ok");
      expect(Array.from(seen.array).every((c) => c === 1)).toBe(true);
      seen.drop();
      // Buffered until the drop: as many as fit (none on a rendezvous channel).
      for (let k = 0; k < fill(cap); k++) { const a = new weft.AtomicI32(k); tx.send({ i: k, a }); a.drop(); }
      // Refused: the message comes back with its handle, which the sender still owns.
      const refuse = (send: (m: unknown) => void, kind: string): void => {
        const a = new weft.AtomicI32(-1);
        let e: any;
        try { send({ i: -1, a }); } catch (x) { e = x; }
        expect(e?.kind ?? e?.name).toBe(kind);
        expect(e.value.a).toBe(a);
        a.drop();
      };
      if (cap !== Infinity) {
        refuse((m) => tx.trySend(m), "Full");
        refuse((m) => tx.sendTimeout(m, 1), "Timeout");
      }
      rx.close();
      refuse((m) => tx.send(m), "SendError");
      refuse((m) => tx.trySend(m), "Disconnected");
      tx.close(); // the last end: the buffered messages and their handles go
      expect(weft.stats().heapBytes).toBe(before.heapBytes);
      expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
    });
  }
});

describe("Go's select and race tests", () => {
  for (const [name, cap] of [["cap 1", 1], ["unbounded", Infinity]] as [string, number][]) {
    test(`TestNonblockRecvRace (${name}): a select with default on a channel holding a message (then closed) never takes default`, async () => {
      const n = stress(150);
      const defaults = new weft.AtomicI32(0);
      for (let i = 0; i < n; i++) {
        const [tx, rx] = make(cap);
        tx.send(1);
        const h = weft.spawn([rx, defaults], (rx, defaults) => {
          const w = (globalThis as any).weft;
          if (w.select([w.recv(rx)], { default: true }).index === -1) defaults.fetchAdd(1, w.Ordering.SeqCst);
        });
        tx.close();
        // Go's `<-c` on the closed channel: the message, or (if the thread took it) closed.
        try { expect(rx.recv()).toBe(1); } catch (e) { expect(e).toBeInstanceOf(weft.RecvError); }
        await h.join();
        rx.close();
      }
      expect(defaults.load(SeqCst)).toBe(0);
      defaults.drop();
    });
  }

  test("TestNonblockSelectRace (weft's promise): a select with default over two channels, one holding a message throughout, never takes default", async () => {
    const n = stress(150);
    const defaults = new weft.AtomicI32(0);
    for (let i = 0; i < n; i++) {
      const [s1, r1] = weft.bounded(1);
      const [s2, r2] = weft.bounded(0);
      s1.send(1);
      const h = weft.spawn([r1, r2, defaults], (r1, r2, defaults) => {
        const w = (globalThis as any).weft;
        if (w.select([w.recv(r1), w.recv(r2)], { default: true }).index === -1) defaults.fetchAdd(1, w.Ordering.SeqCst);
      });
      s2.close(); // TestNonblockSelectRace2: the other channel closes meanwhile (ready as well)
      await h.join();
      for (const x of [s1, r1, r2]) x.close();
    }
    expect(defaults.load(SeqCst)).toBe(0);
    defaults.drop();
  });

  for (const [name, cap] of [["cap 0", 0], ["cap 10", 10], ["unbounded", Infinity]] as [string, number][]) {
    test(`TestSelfSelect (${name}): two threads select a send and a receive on one channel; no deadlock, no self-receive on cap 0`, async () => {
      const n = stress(1000);
      const [tx, rx] = make(cap);
      const hs = [0, 1].map((p) => weft.spawn([tx, rx, p, n], (tx, rx, p, n) => {
        const w = (globalThis as any).weft;
        let self = 0;
        for (let i = 0; i < n; i++) {
          const sendFirst = p === 0 || i % 2 === 0;
          const ops = sendFirst ? [w.send(tx, p), w.recv(rx)] : [w.recv(rx), w.send(tx, p)];
          const res = w.select(ops);
          if (res.index === (sendFirst ? 1 : 0) && res.value === p) self++;
        }
        return self;
      }));
      const selfs = (await Promise.all(hs.map((h) => h.join()))) as number[];
      if (cap === 0) expect(selfs).toEqual([0, 0]);
      tx.close(); rx.close();
    });
  }

  test("TestSelectStress: plain senders and receivers on five channels (2 rendezvous, bounded 2 and 3, unbounded) against one selecting sender and one selecting receiver", async () => {
    const n = stress(1000);
    const chans = [make(0), make(0), make(2), make(3), make(Infinity)];
    const txs = chans.map(([t]) => t);
    const rxs = chans.map(([, r]) => r);
    const plain = chans.flatMap(([tx, rx]) => [
      weft.spawn([tx, n], (tx, n) => { for (let i = 0; i < n; i++) tx.send(0); return n; }),
      weft.spawn([rx, n], (rx, n) => { for (let i = 0; i < n; i++) rx.recv(); return n; }),
    ]);
    const selSend = weft.spawn([txs, n], (txs, n) => {
      const w = (globalThis as any).weft;
      const left = txs.map(() => n);
      for (let i = 0; i < txs.length * n; i++) {
        const live = txs.map((_: unknown, k: number) => k).filter((k: number) => left[k] > 0);
        const res = w.select(live.map((k: number) => w.send(txs[k], 0)));
        left[live[res.index]]--;
      }
      return left;
    });
    const selRecv = weft.spawn([rxs, n], (rxs, n) => {
      const w = (globalThis as any).weft;
      const left = rxs.map(() => n);
      for (let i = 0; i < rxs.length * n; i++) {
        const live = rxs.map((_: unknown, k: number) => k).filter((k: number) => left[k] > 0);
        const res = w.select(live.map((k: number) => w.recv(rxs[k])));
        left[live[res.index]]--;
      }
      return left;
    });
    expect(await Promise.all(plain.map((h) => h.join()))).toEqual(plain.map(() => n));
    expect(await selSend.join()).toEqual([0, 0, 0, 0, 0]);
    expect(await selRecv.join()).toEqual([0, 0, 0, 0, 0]);
    for (const [tx, rx] of chans) { expect(rx.isEmpty()).toBe(true); tx.close(); rx.close(); }
  });

  test("TestSelectStress (async): 16 concurrent selectAsync loops on the main thread and 2 blocking selecting threads drain three flavors; every message exactly once", async () => {
    const n = stress(600);
    const chans = [make(0), make(2), make(Infinity)];
    const counts = new weft.SharedArray(Int32Array, 3 * n);
    const producers = chans.map(([tx], c) => weft.spawn([tx, c, n], (tx, c, n) => { for (let i = 0; i < n; i++) tx.send(c * n + i); }));
    const rxs = chans.map(([, rx]) => rx);
    const threads = [0, 1].map(() => weft.spawn([rxs, counts], (rxs, counts) => {
      const w = (globalThis as any).weft;
      const open = rxs.map(() => true);
      let got = 0;
      while (open.some((o: boolean) => o)) {
        const live = rxs.map((_: unknown, k: number) => k).filter((k: number) => open[k]);
        const res = w.select(live.map((k: number) => w.recv(rxs[k])));
        if (res.disconnected) open[live[res.index]] = false; else { Atomics.add(counts.array, res.value, 1); got++; }
      }
      return got;
    }));
    for (const [tx] of chans) tx.close();
    const loop = async (): Promise<number> => {
      const open = rxs.map(() => true);
      let got = 0;
      while (open.some((o) => o)) {
        const live = [0, 1, 2].filter((k) => open[k]);
        const res = await weft.selectAsync(live.map((k) => weft.recv(rxs[k])));
        if (res.disconnected) open[live[res.index]] = false; else { Atomics.add(counts.array, res.value, 1); got++; }
      }
      return got;
    };
    const mine = await Promise.all(Array.from({ length: 16 }, loop));
    await Promise.all(producers.map((h) => h.join()));
    const theirs = (await Promise.all(threads.map((h) => h.join()))) as number[];
    expect([...mine, ...theirs].reduce((a, b) => a + b, 0)).toBe(3 * n);
    expect(Array.from(counts.array).every((c) => c === 1)).toBe(true);
    for (const rx of rxs) rx.close();
    counts.drop();
  });

  test("TestChanSendInterface: a select send of a structured value (with a handle) to a full channel with default sends nothing and leaks nothing", () => {
    const before = weft.stats();
    const [tx, rx] = weft.bounded(1, { of: "any" });
    const m = new weft.Mutex({ n: 1 });
    tx.send({ m });
    expect(weft.select([weft.send(tx, { m })], { default: true }).index).toBe(-1);
    expect(weft.select([weft.send(tx, { m }), weft.send(tx, { other: true })], { default: true }).index).toBe(-1);
    expect(rx.len).toBe(1);
    const got = rx.recv() as any;
    { using g = got.m.lock(); expect(g.value).toEqual({ n: 1 }); }
    got.m.drop(); m.drop(); tx.close(); rx.close();
    expect(weft.stats().heapBytes).toBe(before.heapBytes);
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
  });

  for (const [name, cap, parked] of [
    ["cap 0, receiver first", 0, false], ["cap 0, select parked first", 0, true],
    ["cap 1, select parked on a full channel", 1, true], ["cap 100, always ready", 100, false],
  ] as [string, number, boolean][]) {
    test(`TestPseudoRandomSend (${name}): a select of send(c, 1) and send(c, 0) picks both arms`, async () => {
      const n = 100;
      const [tx, rx] = make(cap);
      if (cap === 1) tx.send(-1); // full: every select parks until a receive makes room
      const h = weft.spawn([tx, n], (tx, n) => {
        const w = (globalThis as any).weft;
        for (let i = 0; i < n; i++) w.select([w.send(tx, 1), w.send(tx, 0)]);
      });
      tx.close();
      const got: number[] = [];
      const total = cap === 1 ? n + 1 : n; // cap 1: the -1 first
      for (let j = 0; j < total; j++) {
        // Parked: select j has registered both arms before anyone receives (the last receive of
        // cap 1 takes the message the final select left behind, with no select waiting).
        if (parked && (cap === 0 || j < n)) waitUntilBlocked(rx, "send", 2);
        got.push(rx.recv());
      }
      const l = cap === 1 ? got.slice(1) : got;
      if (cap === 1) expect(got[0]).toBe(-1);
      await h.join();
      const n1 = l.filter((v) => v === 1).length;
      const n0 = l.filter((v) => v === 0).length;
      expect(n0 + n1).toBe(n);
      expect(n0).toBeGreaterThan(n / 10);
      expect(n1).toBeGreaterThan(n / 10);
      rx.close();
    });
  }

  for (const [name, cap] of [["cap 0", 0], ["cap 21 (Go: nwork * 3)", 21], ["unbounded", Infinity]] as [string, number][]) {
    test(`TestMultiConsumer (${name}): 7 workers relay a feeder's values; every value arrives exactly once (count and sum)`, async () => {
      const nwork = 7;
      const niter = stress(5000);
      const pn = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];
      const [qTx, qRx] = make(cap);
      const [rTx, rRx] = make(cap);
      const workers = Array.from({ length: nwork }, () => weft.spawn([qRx, rTx], (qRx, rTx) => {
        let relayed = 0;
        for (const v of qRx) { rTx.send(v); relayed++; }
        return relayed;
      }));
      const feeder = weft.spawn([qTx, niter, pn], (qTx, niter, pn) => {
        let total = 0;
        for (let i = 0; i < niter; i++) { const v = pn[i % pn.length]; total += v; qTx.send(v); }
        return total; // its handle drops with the thread: close(q)
      });
      qTx.close(); qRx.close(); rTx.close(); // r disconnects once the last worker ends (Go: wg.Wait(); close(r))
      let count = 0, sum = 0;
      for (const v of rRx) { count++; sum += v; }
      const expectSum = (await feeder.join()) as number;
      const relayed = (await Promise.all(workers.map((h) => h.join()))) as number[];
      expect(count).toBe(niter);
      expect(sum).toBe(expectSum);
      expect(relayed.reduce((a, b) => a + b, 0)).toBe(niter);
      rRx.close();
    });
  }

  for (const [name, cap] of [["cap 0", 0], ["cap 1", 1], ["unbounded", Infinity]] as [string, number][]) {
    test(`TestSelectDuplicateChannel (${name}): a select waiting twice on c leaves c's wait list intact when another channel completes it`, async () => {
      const [cTx, cRx] = make(cap);
      const [dTx, dRx] = make(cap);
      const [eTx, eRx] = make(cap);
      const a = weft.spawn([cRx, dRx, eTx], (cRx, dRx, eTx) => {
        const w = (globalThis as any).weft;
        const res = w.select([w.recv(cRx), w.recv(cRx), w.recv(dRx)]);
        eTx.send(9);
        return res;
      });
      waitUntilBlocked(cRx, "recv", 2); // A's two entries on c
      const b = weft.spawn([cRx], (cRx) => cRx.recv());
      waitUntilBlocked(cRx, "recv", 3); // and B behind them
      dTx.send(7); // wakes A, which takes itself off c's list
      expect(eRx.recv()).toBe(9);
      expect(await a.join()).toEqual({ index: 2, value: 7, disconnected: false });
      cTx.send(8); // must reach B (a corrupted list would hand it to A's stale entries)
      expect(await b.join()).toBe(8);
      expect(cRx.isEmpty()).toBe(true);
      for (const x of [cTx, cRx, dTx, dRx, eTx, eRx]) x.close();
    });
  }
});

describe("Go's test/chan programs", () => {
  for (const [name, cap] of [["cap 0", 0], ["cap 1", 1]] as [string, number][]) {
    test(`doubleselect (${name}): a select of sends to four channels runs exactly one case per call (no value twice, none lost)`, async () => {
      const n = stress(2000);
      const chans = [0, 1, 2, 3].map(() => make(cap));
      const [muxTx, muxRx] = make(cap);
      const sender = weft.spawn([chans.map(([t]) => t), n], (txs, n) => {
        const w = (globalThis as any).weft;
        const ops = (i: number) => txs.map((t: any) => w.send(t, i));
        for (let i = 0; i < n; i++) w.select(ops(i));
      });
      const muxes = chans.map(([, rx]) => weft.spawn([rx, muxTx], (rx, out) => { for (const v of rx) out.send(v); }));
      for (const [tx, rx] of chans) { tx.close(); rx.close(); }
      muxTx.close();
      const seen = new Uint8Array(n);
      let dups = 0, count = 0;
      for (const v of muxRx) { if (seen[v]++) dups++; count++; }
      await Promise.all([sender, ...muxes].map((h) => h.join()));
      expect(dups).toBe(0);
      expect(count).toBe(n);
      muxRx.close();
    });
  }

  test("select2: blocking selects that park many times leave no memory behind", async () => {
    const n = stress(2000);
    const before = weft.stats();
    const [tx, rx] = make(0);
    const [idleTx, idleRx] = make(0);
    const h = weft.spawn([rx, idleRx, n], (rx, idleRx, n) => {
      const w = (globalThis as any).weft;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += w.select([w.recv(rx), w.recv(idleRx)]).value;
      return sum;
    });
    for (let i = 0; i < n; i++) tx.send(1);
    expect(await h.join()).toBe(n);
    const sel = weft.spawn([tx, n], (tx, n) => {
      const w = (globalThis as any).weft;
      for (let i = 0; i < n; i++) w.select([w.send(tx, i)], { timeout: 30_000 });
    });
    let sum = 0;
    for (let i = 0; i < n; i++) sum += rx.recv();
    await sel.join();
    expect(sum).toBe((n * (n - 1)) / 2);
    tx.close(); rx.close(); idleTx.close(); idleRx.close();
    expect(weft.stats().heapBytes).toBe(before.heapBytes);
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
  });

  test("select6 (Go issue 2075): a select that gave up its place behind a plain receiver leaves the queue intact for later waits", async () => {
    const [c1Tx, c1Rx] = make(0);
    const [c2Tx, c2Rx] = make(0);
    const [c3Tx, c3Rx] = make(0);
    const a = weft.spawn([c1Rx], (c1) => c1.recv());
    waitUntilBlocked(c1Rx, "recv", 1); // A queued first
    const b = weft.spawn([c1Rx, c2Rx, c3Tx], (c1, c2, c3) => {
      const w = (globalThis as any).weft;
      const res = w.select([w.recv(c1), w.recv(c2)]);
      if (res.index !== 1) return "took c1";
      c3.send(1);
      return c1.recv(); // waits on c1 again, behind A
    });
    waitUntilBlocked(c1Rx, "recv", 2); // the select is last in c1's queue
    const c = weft.spawn([c2Tx], (c2) => { c2.send(1); });
    expect(c3Rx.recv()).toBe(1);
    c1Tx.send(10);
    c1Tx.send(20);
    const got = [await a.join(), await b.join()].sort();
    expect(got).toEqual([10, 20]);
    await c.join();
    for (const x of [c1Tx, c1Rx, c2Tx, c2Rx, c3Tx, c3Rx]) x.close();
  });

  test("select7: every receive form (recv, select of one, select with an idle channel) meets every send form on a rendezvous channel", async () => {
    const recvForms = ["recv", "select1", "select2"];
    const sendForms = ["send", "select1", "select2"];
    for (const rf of recvForms) {
      for (const sf of sendForms) {
        const [tx, rx] = make(0);
        const [idleRTx, idleRRx] = make(0); // the receiver's own idle channel (Go: each side makes its c2)
        const [idleSTx, idleSRx] = make(0); // the sender's
        const h = weft.spawn([rx, idleRRx, rf], (rx, idleRx, rf) => {
          const w = (globalThis as any).weft;
          if (rf === "recv") return rx.recv();
          return w.select(rf === "select1" ? [w.recv(rx)] : [w.recv(rx), w.recv(idleRx)]).value;
        });
        waitUntilBlocked(rx, "recv"); // Go: runtime.Gosched() so the receiver waits first
        if (sf === "send") tx.send(1);
        else if (sf === "select1") expect(weft.select([weft.send(tx, 1)]).index).toBe(0);
        else expect(weft.select([weft.send(tx, 1), weft.send(idleSTx, 1)]).index).toBe(0);
        expect([rf, sf, await h.join()]).toEqual([rf, sf, 1]);
        for (const x of [tx, rx, idleRTx, idleRRx, idleSTx, idleSRx]) x.close();
      }
    }
  });
});
