// The guide's crossbeam-channel example (shared/seed/rust-concurrency-guide.txt): several
// producers, two channels, a consumer thread that selects over both with a `default(100 ms)`
// arm, and the main thread consuming the first channel too: unbounded channels of strings, as
// in the guide. The producers' `thread::sleep(50 ms)` is dropped (tests never order events with sleeps). The guide drops its original senders only
// after the main thread's `while let Ok(msg) = r.recv()` loop, which could then never end; here
// the main thread closes its originals first, as the README's channel example does.
import { describe, it, expect } from "vitest";
import { weft, useWeft } from "./helpers";

useWeft(4);

describe("the guide's select! example", () => {
  it("a consumer selecting over two channels with a default timeout arm, beside a plain consumer", async () => {
    const [s, r] = weft.unbounded<string>({ of: "any" });
    const [s2, r2] = weft.unbounded<string>({ of: "any" });
    // Producer 1, producer 2, and a producer for the other channel. A handle passed to spawn is
    // shared: each thread holds its own reference (the guide's s.clone()) until it ends.
    const producers = [
      weft.spawn([s], (s) => { s.send("Producer 1: message 1"); s.send("Producer 1: message 2"); }),
      weft.spawn([s], (s) => { s.send("Producer 2: message 1"); }),
      weft.spawn([s2], (s2) => { s2.send("Other channel: message 1"); }),
    ];
    const consumer = weft.spawn([r, r2], (r, r2) => {
      const w = (globalThis as any).weft;
      const got: [string, string][] = [];
      let idle = 0;
      for (;;) {
        const arm = w.select([w.recv(r), w.recv(r2)], { timeout: 100, default: true });
        if (arm.index === -1) { idle++; continue; } // default(100 ms): nothing for a while
        const name = arm.index === 0 ? "Channel 1" : "Channel 2";
        if (arm.disconnected) return { got, closed: name, idle };
        got.push([name, arm.value]);
      }
    });
    // The main thread also consumes the first channel, until it is closed.
    s.close(); s2.close();
    const mine: string[] = [];
    for (;;) {
      try { mine.push(r.recv()); } catch (e) { expect(e).toBeInstanceOf(weft.RecvError); break; }
    }
    await Promise.all(producers.map((h) => h.join()));
    const out = (await consumer.join()) as { got: [string, string][]; closed: string; idle: number };
    // Every message of channel 1 was taken exactly once, by one consumer or the other.
    const ch1 = [...mine, ...out.got.filter(([n]) => n === "Channel 1").map(([, v]) => v)].sort();
    expect(ch1).toEqual(["Producer 1: message 1", "Producer 1: message 2", "Producer 2: message 1"]);
    // Channel 2's message went to the consumer, unless it saw a channel close first.
    const ch2 = out.got.filter(([n]) => n === "Channel 2").map(([, v]) => v);
    if (ch2.length === 0) expect(r2.tryRecv()).toBe("Other channel: message 1");
    else expect(ch2).toEqual(["Other channel: message 1"]);
    expect(["Channel 1", "Channel 2"]).toContain(out.closed);
    r.close(); r2.close();
  });
});
