// select over channels: crossbeam-channel's tests/select.rs names where they apply (bounded and
// rendezvous channels), the async forms, the Select builder and bad input. Threads synchronise
// through channels and semaphores; the only timeouts are in tests of timeouts or `default(ms)`.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(4);


describe("select", () => {
  test("smoke1: the operation whose channel has a message completes, with its value", () => {
    const [s1, r1] = weft.bounded(1);
    const [s2, r2] = weft.bounded(1);
    s1.send(1);
    expect(weft.select([weft.recv(r1), weft.recv(r2)])).toEqual({ index: 0, value: 1, disconnected: false });
    s2.send(2);
    expect(weft.select([weft.recv(r1), weft.recv(r2)])).toEqual({ index: 1, value: 2, disconnected: false });
    for (const h of [s1, r1, s2, r2]) h.close();
  });

  test("smoke2: five channels, only the last one ready", () => {
    const chans = [0, 1, 2, 3, 4].map(() => weft.bounded(1));
    chans[4][0].send(5);
    expect(weft.select(chans.map(([, r]) => weft.recv(r)))).toEqual({ index: 4, value: 5, disconnected: false });
    for (const [s, r] of chans) { s.close(); r.close(); }
  });

  test("disconnected: a disconnected receive completes with disconnected, also waking a blocked select", async () => {
    const [s1, r1] = weft.bounded(1);
    const [s2, r2] = weft.bounded(1);
    s1.close();
    expect(weft.select([weft.recv(r1), weft.recv(r2)], { timeout: 30_000 })).toEqual({ index: 0, disconnected: true });
    using ready = new weft.Semaphore(0);
    const h = weft.spawn([s2, ready], (s2, ready) => { ready.acquire(); s2.close(); });
    s2.close(); // only the thread's handle is left
    const [s3, r3] = weft.bounded(0);
    ready.release();
    expect(weft.select([weft.recv(r3), weft.recv(r2)])).toEqual({ index: 1, disconnected: true });
    await h.join();
    // A send to a channel whose receivers are gone hands the value back.
    r3.close();
    expect(weft.select([weft.send(s3, 9)])).toEqual({ index: 0, value: 9, disconnected: true });
    s3.close(); r1.close(); r2.close();
  });

  test("default: nothing ready gives index -1; a ready or disconnected operation still wins", () => {
    const [s1, r1] = weft.bounded(1);
    const [s2, r2] = weft.bounded(0);
    expect(weft.select([weft.recv(r1), weft.recv(r2)], { default: true })).toEqual({ index: -1, disconnected: false });
    expect(weft.select([weft.send(s2, 1)], { default: true })).toEqual({ index: -1, disconnected: false });
    s1.send(3);
    expect(weft.select([weft.recv(r1), weft.recv(r2)], { default: true })).toEqual({ index: 0, value: 3, disconnected: false });
    expect(weft.select([weft.send(s2, 1), weft.send(s1, 4)], { default: true })).toEqual({ index: 1, disconnected: false });
    s1.close();
    expect(r1.recv()).toBe(4);
    expect(weft.select([weft.recv(r1)], { default: true })).toEqual({ index: 0, disconnected: true }); // default_when_disconnected
    r1.close(); s2.close(); r2.close();
  });

  test("timeout: SelectTimeoutError (code TIMEOUT) without default, index -1 with it, a value in time", async () => {
    const [s, r] = weft.bounded(1);
    let e: any;
    try { weft.select([weft.recv(r)], { timeout: 5 }); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(weft.SelectTimeoutError);
    expect(e.code).toBe("TIMEOUT");
    expect(() => weft.select([weft.recv(r)], { timeout: 0 })).toThrow(weft.SelectTimeoutError);
    expect(weft.select([weft.recv(r)], { timeout: 5, default: true })).toEqual({ index: -1, disconnected: false });
    const h = weft.spawn([s], (s) => { s.send(8); });
    expect(weft.select([weft.recv(r)], { timeout: 30_000 })).toEqual({ index: 0, value: 8, disconnected: false });
    await h.join();
    s.close(); r.close();
  });

  test("unblocks: a select blocked on a receive or on a rendezvous send is completed by a peer", async () => {
    const [s1, r1] = weft.bounded(0);
    const [s2, r2] = weft.bounded(0);
    const h = weft.spawn([r1, r2], (r1, r2) => {
      const w = (globalThis as any).weft;
      return w.select([w.recv(r1), w.recv(r2)]);
    });
    s2.send(2);
    expect(await h.join()).toEqual({ index: 1, value: 2, disconnected: false });
    const h2 = weft.spawn([s1, s2], (s1, s2) => {
      const w = (globalThis as any).weft;
      return w.select([w.send(s1, 10), w.send(s2, 20)]);
    });
    expect(r1.recv()).toBe(10);
    expect(await h2.join()).toEqual({ index: 0, disconnected: false });
    for (const x of [s1, r1, s2, r2]) x.close();
  });

  test("both_ready: a thread selecting a receive and a send completes both, one per call", async () => {
    const [s1, r1] = weft.bounded(0);
    const [s2, r2] = weft.bounded(0);
    const h = weft.spawn([r1, s2], (r1, s2) => {
      const w = (globalThis as any).weft;
      const a = w.select([w.recv(r1), w.send(s2, 2)]);
      const b = w.select([w.recv(r1), w.send(s2, 2)]);
      return [a.index, b.index].sort();
    });
    s1.send(1);
    expect(r2.recv()).toBe(2);
    expect(await h.join()).toEqual([0, 1]);
    for (const x of [s1, r1, s2, r2]) x.close();
  });

  test("loop_try: selects with default retried until a thread's peer operations arrive", async () => {
    const n = stress(20);
    const [s1, r1] = weft.bounded(0);
    const [s2, r2] = weft.bounded(0);
    const h = weft.spawn([s1, r2, n], (s1, r2, n) => {
      const w = (globalThis as any).weft;
      for (let i = 0; i < n; i++) {
        while (w.select([w.send(s1, i)], { default: true }).index === -1) { /* retry */ }
        let r;
        do { r = w.select([w.recv(r2)], { default: true }); } while (r.index === -1);
        if (r.value !== i) return false;
      }
      return true;
    });
    for (let i = 0; i < n; i++) { expect(r1.recv()).toBe(i); s2.send(i); }
    expect(await h.join()).toBe(true);
    for (const x of [s1, r1, s2, r2]) x.close();
  });

  test("cloning: a select on a cloned receiver sees the channel's messages", async () => {
    const [s, r] = weft.bounded(0);
    const r2 = r.clone();
    const h = weft.spawn([s], (s) => { s.send(1); s.send(2); });
    expect(weft.select([weft.recv(r2)]).value).toBe(1);
    r2.close();
    expect(weft.select([weft.recv(r)]).value).toBe(2);
    await h.join();
    s.close(); r.close();
  });

  test("preflight: buffered messages first, then disconnected", () => {
    const [s, r] = weft.bounded(2);
    s.send(1); s.send(2);
    s.close();
    expect(weft.select([weft.recv(r)])).toEqual({ index: 0, value: 1, disconnected: false });
    expect(weft.select([weft.recv(r)])).toEqual({ index: 0, value: 2, disconnected: false });
    expect(weft.select([weft.recv(r)])).toEqual({ index: 0, disconnected: true });
    r.close();
  });

  test("duplicate operations: the same receiver twice is allowed", async () => {
    const [s, r] = weft.bounded(0);
    const h = weft.spawn([s], (s) => { s.send(5); });
    const got = weft.select([weft.recv(r), weft.recv(r)]);
    expect([0, 1]).toContain(got.index);
    expect(got.value).toBe(5);
    await h.join();
    s.close(); r.close();
  });

  test("stress_recv: receives alternating between a rendezvous and a bounded channel", async () => {
    const n = stress(1000);
    const [s1, r1] = weft.bounded(0, { of: "i32" });
    const [s2, r2] = weft.bounded(5, { of: "i32" });
    const [s3, r3] = weft.bounded(100);
    const h = weft.spawn([s1, s2, r3, n], (s1, s2, r3, n) => {
      for (let i = 0; i < n; i++) { s1.send(i); r3.recv(); s2.send(i); r3.recv(); }
    });
    let ok = true;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 2; k++) {
        const got = weft.select([weft.recv(r1), weft.recv(r2)]);
        if (got.value !== i) ok = false;
        s3.send(0);
      }
    }
    await h.join();
    expect(ok).toBe(true);
    for (const x of [s1, r1, s2, r2, s3, r3]) x.close();
  });

  test("stress_send: sends to two rendezvous channels, each taken in turn", async () => {
    const n = stress(1000);
    const [s1, r1] = weft.bounded(0);
    const [s2, r2] = weft.bounded(0);
    const [s3, r3] = weft.bounded(100);
    const h = weft.spawn([r1, r2, r3, n], (r1, r2, r3, n) => {
      for (let i = 0; i < n; i++) {
        if (r1.recv() !== i || r2.recv() !== i) return false;
        r3.recv();
      }
      return true;
    });
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 2; k++) weft.select([weft.send(s1, i), weft.send(s2, i)]);
      s3.send(0);
    }
    expect(await h.join()).toBe(true);
    for (const x of [s1, r1, s2, r2, s3, r3]) x.close();
  });

  test("stress_mixed: a receive and a send in one select, against a thread doing the opposite", async () => {
    const n = stress(1000);
    const [s1, r1] = weft.bounded(0);
    const [s2, r2] = weft.bounded(0);
    const [s3, r3] = weft.bounded(100);
    const h = weft.spawn([s1, r2, r3, n], (s1, r2, r3, n) => {
      for (let i = 0; i < n; i++) { s1.send(i); if (r2.recv() !== i) return false; r3.recv(); }
      return true;
    });
    let ok = true;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 2; k++) {
        const got = weft.select([weft.recv(r1), weft.send(s2, i)]);
        if (got.index === 0 && got.value !== i) ok = false;
      }
      s3.send(0);
    }
    expect(await h.join()).toBe(true);
    expect(ok).toBe(true);
    for (const x of [s1, r1, s2, r2, s3, r3]) x.close();
  });

  test("stress: selecting and plain consumers share two bounded channels; nothing lost, none twice", async () => {
    const n = stress(2000);
    const [s1, r1] = weft.bounded(1, { of: "i32" });
    const [s2, r2] = weft.bounded(2, { of: "i32" });
    const producers = [[s1, 0], [s2, n]].map(([s, base]) => weft.spawn([s, base, n], (s, base, n) => {
      for (let i = 0; i < n; i++) s.send(base + i);
    }));
    const selecting = [0, 1].map(() => weft.spawn([r1, r2], (r1, r2) => {
      const w = (globalThis as any).weft;
      const got: number[] = [];
      const open = [true, true];
      while (open[0] || open[1]) {
        const ops = [];
        const which: number[] = [];
        if (open[0]) { ops.push(w.recv(r1)); which.push(0); }
        if (open[1]) { ops.push(w.recv(r2)); which.push(1); }
        const res = w.select(ops);
        if (res.disconnected) open[which[res.index]] = false; else got.push(res.value);
      }
      return got;
    }));
    const plain = weft.spawn([r1], (r1) => { const got: number[] = []; for (const v of r1) got.push(v); return got; });
    for (const x of [s1, s2, r1, r2]) x.close();
    await Promise.all(producers.map((h) => h.join()));
    const all = ((await Promise.all([...selecting, plain].map((h) => h.join()))) as number[][]).flat();
    all.sort((a, b) => a - b);
    expect(all.length).toBe(2 * n);
    expect(all.every((v, i) => v === i)).toBe(true);
  });

  test("stress_timeout_two_threads: selects with default(timeout) retried until they meet, in order", async () => {
    const n = stress(200);
    const [s, r] = weft.bounded(2, { of: "i32" });
    const a = weft.spawn([s, n], (s, n) => {
      const w = (globalThis as any).weft;
      for (let i = 0; i < n; i++) while (w.select([w.send(s, i)], { timeout: 1, default: true }).index === -1) { /* again */ }
    });
    const b = weft.spawn([r, n], (r, n) => {
      const w = (globalThis as any).weft;
      for (let i = 0; i < n; i++) {
        let got;
        do { got = w.select([w.recv(r)], { timeout: 1, default: true }); } while (got.index === -1);
        if (got.value !== i) return false;
      }
      return true;
    });
    s.close(); r.close();
    await a.join();
    expect(await b.join()).toBe(true);
  });

  test("send_recv_same_channel: a select never pairs with itself on a rendezvous channel", () => {
    const [s, r] = weft.bounded(0);
    expect(weft.select([weft.send(s, 0), weft.recv(r)], { timeout: 20, default: true })).toEqual({ index: -1, disconnected: false });
    expect(() => weft.select([weft.recv(r), weft.send(s, 0)], { timeout: 5 })).toThrow(weft.SelectTimeoutError);
    s.close(); r.close();
    const [s2, r2] = weft.bounded(1);
    expect(weft.select([weft.send(s2, 0), weft.recv(r2)], { timeout: 20, default: true })).toEqual({ index: 0, disconnected: false });
    s2.close(); r2.close();
  });

  test("matching: threads each select a send and a receive on one rendezvous channel and pair up", async () => {
    const threads = 8;
    const [s, r] = weft.bounded(0, { of: "i32" });
    const hs = Array.from({ length: threads }, (_, i) => weft.spawn([s, r, i], (s, r, i) => {
      const w = (globalThis as any).weft;
      const got = w.select([w.recv(r), w.send(s, i)]);
      return got.index === 0 ? (got.value !== i ? "recv" : "self") : "send";
    }));
    const out = await Promise.all(hs.map((h) => h.join()));
    expect(out.filter((x) => x === "recv").length).toBe(threads / 2);
    expect(out.filter((x) => x === "send").length).toBe(threads / 2);
    expect(() => r.tryRecv()).toThrow(weft.TryRecvError);
    s.close(); r.close();
  });

  test("matching_with_leftover: an odd party out is matched by a plain send", async () => {
    const threads = 7;
    const [s, r] = weft.bounded(0, { of: "i32" });
    const hs = Array.from({ length: threads }, (_, i) => weft.spawn([s, r, i], (s, r, i) => {
      const w = (globalThis as any).weft;
      const got = w.select([w.recv(r), w.send(s, i)]);
      return got.index === 0 ? got.value : "send";
    }));
    s.send(-1);
    const out = await Promise.all(hs.map((h) => h.join()));
    expect(out.filter((x) => x === -1).length).toBe(1);
    expect(out.filter((x) => x === "send").length).toBe(3);
    expect(() => r.tryRecv()).toThrow(weft.TryRecvError);
    s.close(); r.close();
  });

  test("fairness: with both channels always ready, both arms are chosen about equally", () => {
    const n = stress(2000);
    const [s1, r1] = weft.bounded(n);
    const [s2, r2] = weft.bounded(n);
    for (let i = 0; i < n; i++) { s1.send(0); s2.send(0); }
    const hits = [0, 0];
    for (let i = 0; i < n; i++) hits[weft.select([weft.recv(r1), weft.recv(r2)]).index]++;
    expect(hits[0]).toBeGreaterThanOrEqual(n / 4);
    expect(hits[1]).toBeGreaterThanOrEqual(n / 4);
    const sends = [0, 0];
    const [s3, r3] = weft.bounded(n);
    const [s4, r4] = weft.bounded(n);
    for (let i = 0; i < n; i++) sends[weft.select([weft.send(s3, 0), weft.send(s4, 0)]).index]++;
    expect(Math.min(...sends)).toBeGreaterThanOrEqual(n / 4);
    for (const x of [s1, r1, s2, r2, s3, r3, s4, r4]) x.close();
  });

  test("linearizable_default: a message sent before a select with default is always seen by it", async () => {
    const n = stress(1000);
    const [startS, startR] = weft.bounded(0);
    const [endS, endR] = weft.bounded(0);
    const [s1, r1] = weft.bounded(1);
    const [s2, r2] = weft.bounded(1);
    const h = weft.spawn([startS, endS, s1, r1, r2, n], (startS, endS, s1, r1, r2, n) => {
      const w = (globalThis as any).weft;
      for (let i = 0; i < n; i++) {
        startS.send(0);
        s1.send(1);
        if (w.select([w.recv(r1), w.recv(r2)], { default: true }).index === -1) return false;
        endS.send(0);
        try { r2.tryRecv(); } catch { /* taken by the select */ }
      }
      return true;
    });
    for (let i = 0; i < n; i++) {
      startR.recv();
      s2.send(1);
      try { r1.tryRecv(); } catch { /* taken by the select */ }
      endR.recv();
    }
    expect(await h.join()).toBe(true);
    for (const x of [startS, startR, endS, endR, s1, r1, s2, r2]) x.close();
  });

  test("drops: selects that time out, complete or are aborted leave nothing allocated", async () => {
    const before = weft.stats().heapBlocks;
    const [s1, r1] = weft.bounded(0);
    const [s2, r2] = weft.bounded(1);
    for (let i = 0; i < 3; i++) {
      expect(() => weft.select([weft.recv(r1), weft.recv(r2), weft.send(s1, 1)], { timeout: 1 })).toThrow(weft.SelectTimeoutError);
      await expect(weft.selectAsync([weft.recv(r1), weft.send(s1, 2)], { timeout: 1 })).rejects.toBeInstanceOf(weft.SelectTimeoutError);
    }
    const h = weft.spawn([s1, s2], (s1, s2) => { s1.send(1); s2.send(2); });
    expect(weft.select([weft.recv(r1), weft.send(s1, 0)]).value).toBe(1);
    expect((await weft.selectAsync([weft.recv(r1), weft.recv(r2)])).value).toBe(2);
    await h.join();
    for (const x of [s1, r1, s2, r2]) x.close();
    expect(weft.stats().heapBlocks).toBe(before);
  });
});

describe("selectAsync", () => {
  test("resolves with a thread's message; rejects with SelectTimeoutError; default forms", async () => {
    const [s1, r1] = weft.bounded(1);
    const [s2, r2] = weft.bounded(0);
    const p = weft.selectAsync([weft.recv(r1), weft.recv(r2)]);
    const h = weft.spawn([s2], (s2) => { s2.send(4); });
    expect(await p).toEqual({ index: 1, value: 4, disconnected: false });
    await h.join();
    await expect(weft.selectAsync([weft.recv(r1)], { timeout: 5 })).rejects.toBeInstanceOf(weft.SelectTimeoutError);
    expect(await weft.selectAsync([weft.recv(r1)], { default: true })).toEqual({ index: -1, disconnected: false });
    expect(await weft.selectAsync([weft.recv(r1)], { default: true, timeout: 5 })).toEqual({ index: -1, disconnected: false });
    s1.send(1);
    expect(await weft.selectAsync([weft.recv(r1)], { default: true })).toEqual({ index: 0, value: 1, disconnected: false });
    for (const x of [s1, r1, s2, r2]) x.close();
  });

  test("async selects on one thread pair with each other and with recvAsync/sendAsync", async () => {
    const [s, r] = weft.bounded(0);
    const [a, b] = await Promise.all([weft.selectAsync([weft.send(s, 1)]), weft.selectAsync([weft.recv(r)])]);
    expect(a).toEqual({ index: 0, disconnected: false });
    expect(b).toEqual({ index: 0, value: 1, disconnected: false });
    const [c, d] = await Promise.all([weft.selectAsync([weft.recv(r)]), s.sendAsync(2)]);
    expect(c.value).toBe(2);
    void d;
    const [e, f] = await Promise.all([r.recvAsync(), weft.selectAsync([weft.send(s, 3)])]);
    expect(e).toBe(3);
    expect(f.index).toBe(0);
    s.close(); r.close();
  });

  test("a parked selectAsync is woken by disconnection; dropping a handle meanwhile is safe", async () => {
    const [s, r] = weft.bounded(0);
    const [s2, r2] = weft.bounded(2);
    const p = weft.selectAsync([weft.recv(r), weft.recv(r2)]);
    r.close(); // the select holds its own reference: the channel stays alive and connected
    s.close();
    expect(await p).toEqual({ index: 0, disconnected: true });
    const p2 = weft.selectAsync([weft.send(s2, 1), weft.send(s2, 2)]);
    expect((await p2).index).toBeGreaterThanOrEqual(0);
    expect(r2.len).toBe(1); // exactly one of the two sends happened
    s2.close(); r2.close();
  });

  test("stress: async selects against threads, every message exactly once", async () => {
    const n = stress(500);
    const [s1, r1] = weft.bounded(0, { of: "i32" });
    const [s2, r2] = weft.bounded(3, { of: "i32" });
    const p1 = weft.spawn([s1, n], (s, n) => { for (let i = 0; i < n; i++) s.send(i); });
    const p2 = weft.spawn([s2, n], (s, n) => { for (let i = 0; i < n; i++) s.send(n + i); });
    s1.close(); s2.close();
    const seen = new Array(2 * n).fill(0);
    let open = 2;
    const closed = [false, false];
    while (open > 0) {
      const ops = [];
      const idx: number[] = [];
      if (!closed[0]) { ops.push(weft.recv(r1)); idx.push(0); }
      if (!closed[1]) { ops.push(weft.recv(r2)); idx.push(1); }
      const got = await weft.selectAsync(ops);
      if (got.disconnected) { closed[idx[got.index]] = true; open--; } else seen[got.value]++;
    }
    await p1.join(); await p2.join();
    expect(seen.every((c) => c === 1)).toBe(true);
    r1.close(); r2.close();
  });
});

describe("Select builder", () => {
  test("recv/send give indices; select, trySelect, selectTimeout, selectAsync; reusable", async () => {
    const [s1, r1] = weft.bounded(1);
    const [s2, r2] = weft.bounded(1);
    const sel = new weft.Select();
    expect(sel.recv(r1)).toBe(0);
    expect(sel.recv(r2)).toBe(1);
    expect(sel.trySelect()).toEqual({ index: -1, disconnected: false });
    expect(() => sel.selectTimeout(5)).toThrow(weft.SelectTimeoutError);
    s2.send(2);
    expect(sel.select()).toEqual({ index: 1, value: 2, disconnected: false });
    const p = sel.selectAsync({ timeout: 30_000 });
    const h = weft.spawn([s1], (s1) => { s1.send(1); });
    expect(await p).toEqual({ index: 0, value: 1, disconnected: false });
    await h.join();
    await expect(sel.selectAsync({ timeout: 5 })).rejects.toBeInstanceOf(weft.SelectTimeoutError);
    const out = new weft.Select();
    expect(out.send(s1, 7)).toBe(0);
    expect(out.trySelect()).toEqual({ index: 0, disconnected: false });
    expect(r1.recv()).toBe(7);
    for (const x of [s1, r1, s2, r2]) x.close();
  });

  test("ready: tryReady / readyTimeout / ready name a ready operation without performing it", async () => {
    const [s1, r1] = weft.bounded(1);
    const [s2, r2] = weft.bounded(0);
    const sel = new weft.Select();
    sel.recv(r1);
    sel.recv(r2);
    expect(sel.tryReady()).toBe(-1);
    expect(() => sel.readyTimeout(5)).toThrow(weft.SelectTimeoutError);
    s1.send(1);
    expect(sel.tryReady()).toBe(0);
    expect(sel.ready()).toBe(0);
    expect(r1.len).toBe(1); // not received
    expect(r1.recv()).toBe(1);
    const h = weft.spawn([s2], (s2) => { s2.send(2); });
    expect(sel.readyTimeout(30_000)).toBe(1); // a sender waits on the rendezvous channel
    expect(r2.recv()).toBe(2);
    await h.join();
    expect(await sel.readyAsync({ timeout: 5 }).catch((e) => e.name)).toBe("SelectTimeoutError");
    const sendSel = new weft.Select();
    sendSel.send(s1, 5);
    expect(sendSel.tryReady()).toBe(0); // room in the buffer
    expect(r1.isEmpty()).toBe(true);
    for (const x of [s1, r1, s2, r2]) x.close();
  });
});

describe("Select builder: ready beside select", () => {
  test("a watcher blocked in ready() does not swallow the wake-up a blocked select needs", async () => {
    const [s, r] = weft.bounded(1);
    using ready = new weft.Semaphore(0);
    const watcher = weft.spawn([r, ready], (r, ready) => {
      const w = (globalThis as any).weft;
      const sel = new w.Select();
      sel.recv(r);
      ready.release();
      return sel.ready();
    });
    const selector = weft.spawn([r, ready], (r, ready) => {
      const w = (globalThis as any).weft;
      ready.release();
      return w.select([w.recv(r)]);
    });
    ready.acquire(); ready.acquire();
    s.send(3); // one message: the select must get it, and the watcher must hear of it too
    expect(await selector.join()).toEqual({ index: 0, value: 3, disconnected: false });
    s.send(4); // for a watcher that only registered after the selector took 3 (no ordering there)
    expect(await watcher.join()).toBe(0);
    expect(r.recv()).toBe(4);
    s.close(); r.close();
  });

  test("ready on a rendezvous send: a receiver starting to wait makes it ready", async () => {
    const [s, r] = weft.bounded(0);
    const sel = new weft.Select();
    sel.send(s, 1);
    expect(sel.tryReady()).toBe(-1);
    const h = weft.spawn([r], (r) => r.recv());
    expect(await sel.readyAsync({ timeout: 30_000 })).toBe(0);
    s.send(5); // the waiting receiver takes it
    expect(await h.join()).toBe(5);
    s.close(); r.close();
  });
});

describe("select: bad input", () => {
  test("typed errors, and nothing sent or leaked", async () => {
    const before = weft.stats().heapBlocks;
    const [s, r] = weft.bounded(2);
    expect(() => weft.select([])).toThrow(weft.InvalidArgumentError);
    expect(() => weft.select("x" as any)).toThrow(weft.InvalidArgumentError);
    expect(() => weft.select([{ kind: "recv", end: r } as any])).toThrow(weft.InvalidArgumentError);
    expect(() => weft.recv(s as any)).toThrow(weft.InvalidArgumentError);
    expect(() => weft.send(r as any, 1)).toThrow(weft.InvalidArgumentError);
    expect(() => weft.select([weft.recv(r)], { timeout: -1 })).toThrow(weft.InvalidArgumentError);
    expect(() => weft.select([weft.recv(r)], { default: "yes" as any })).toThrow(weft.InvalidArgumentError);
    expect(() => weft.select([weft.recv(r)], null as any)).toThrow(weft.InvalidArgumentError);
    expect(() => weft.select([weft.send(s, 1), weft.send(s, "a" as any)])).toThrow(weft.UnsupportedValueError);
    expect(s.len).toBe(0);
    const closed = r.clone();
    const op = weft.recv(closed);
    closed.close();
    expect(() => weft.select([weft.send(s, 1), op])).toThrow(weft.DroppedError);
    expect(s.len).toBe(0);
    await expect(weft.selectAsync([])).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    await expect(weft.selectAsync([weft.recv(r)], { timeout: NaN })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    s.close(); r.close();
    expect(weft.stats().heapBlocks).toBe(before);
  });
});
