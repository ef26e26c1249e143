// The examples of the Rust concurrency guide weft grew from (shared/seed), re-expressed with weft.
import { describe, it, expect } from "vitest";
import { weft, useWeft } from "./helpers";

useWeft(2);

describe("the guide's std::thread examples", () => {
  it("a spawned thread prints while the main thread prints, then is joined", async () => {
    const handle = weft.spawn(() => {
      const lines: string[] = [];
      for (let i = 1; i < 10; i++) {
        const line = `hi number ${i} from the spawned thread!`;
        console.log(line);
        lines.push(line);
        (globalThis as any).weft.thread.yieldNow();
      }
      return lines;
    });
    const mainLines: string[] = [];
    for (let i = 1; i < 5; i++) {
      const line = `hi number ${i} from the main thread!`;
      console.log(line);
      mainLines.push(line);
    }
    const spawned = await handle.join();
    expect(spawned).toEqual(Array.from({ length: 9 }, (_, i) => `hi number ${i + 1} from the spawned thread!`));
    expect(mainLines).toHaveLength(4);
    expect(handle.isFinished()).toBe(true);
  });

  it("a thread takes ownership of a vector (move)", async () => {
    const v = [1, 2, 3];
    const handle = weft.spawn([v], (v: number[]) => `Here's a vector: [${v.join(", ")}]`);
    expect(await handle.join()).toBe("Here's a vector: [1, 2, 3]");
  });
});

describe("the guide's Arc<Mutex> examples", () => {
  it("Arc<Mutex<i32>> incremented by 10 threads equals 10", async () => {
    const counter = new weft.Mutex(0);
    const handles = [];
    for (let i = 0; i < 10; i++) {
      handles.push(weft.spawn([counter.clone()], (c: any) => {
        const num = c.lock();
        num.value += 1;
        // the guard is released when the thread's closure ends: here explicitly
        num.unlock();
      }));
    }
    for (const h of handles) await h.join();
    const g = counter.lock();
    expect(g.value).toBe(10);
    g.unlock();
    counter.drop();
  });

  it("a thread panicking while holding the lock poisons it; main recovers the data via intoInner", async () => {
    const mutex = new weft.Mutex(0);
    const handle = weft.spawn([mutex.clone()], (m: any) => {
      const data = m.lock();
      data.value += 1;
      throw new Error("Oh no, I panicked while holding the lock!");
    });
    const err = await handle.join().catch((e) => e);
    expect(err).toBeInstanceOf(weft.ThreadPanic);
    expect(err.message).toContain("Oh no, I panicked while holding the lock!");
    expect(mutex.isPoisoned()).toBe(true);
    let recovered: number | undefined;
    try {
      mutex.lock();
      expect.unreachable("lock() of a poisoned mutex must throw");
    } catch (poisoned) {
      expect(poisoned).toBeInstanceOf(weft.PoisonError);
      const data = (poisoned as InstanceType<typeof weft.PoisonError>).intoInner() as any;
      recovered = data.value;
      data.unlock();
    }
    expect(recovered).toBe(1);
    mutex.drop();
  });
});

describe("the guide's atomics example", () => {
  it("an atomic counter bumped by 10 threads equals 10", async () => {
    const counter = new weft.AtomicU32(0);
    const handles = [];
    for (let i = 0; i < 10; i++) {
      handles.push(weft.spawn([counter.clone()], (c: any) => {
        c.fetchAdd(1, (globalThis as any).weft.Ordering.Relaxed);
      }));
    }
    for (const h of handles) await h.join();
    expect(counter.load(weft.Ordering.Relaxed)).toBe(10);
    counter.drop();
  });
});
