// Scheduler groundwork (issue 4): a deque or injector that cannot grow for lack of memory answers
// OUT_OF_MEMORY, keeps every job it holds, and frees everything when dropped.
import { describe, test, expect } from "vitest";
import { weft, useWeft } from "./helpers";

useWeft(1, { maximumMiB: 16 });

const x = () => weft.__bench.exports();
const L = () => weft.__bench.layout();

describe("sched: out of memory", () => {
  test("deque: a push that needs a growth the memory cannot give answers OUT_OF_MEMORY; the jobs stay", () => {
    const blocks = x().heap_blocks_used();
    const d = x().sched_deque_new(2);
    let n = 0, r;
    while ((r = x().sched_deque_push(d, 0, n)) === L().SUCCESS) n++;
    expect(r).toBe(L().OUT_OF_MEMORY);
    expect(n).toBeGreaterThan(1000);
    expect(x().sched_deque_len(d)).toBe(n);
    expect(x().sched_deque_steal(d)).toBe(L().SUCCESS);
    expect(x().sched_taken_lo()).toBe(0);
    let bad = 0;
    for (let i = n - 1; i >= 1; i--) if (x().sched_deque_pop(d) !== L().SUCCESS || x().sched_taken_lo() !== i) bad++;
    expect(bad).toBe(0);
    expect(x().sched_deque_pop(d)).toBe(L().EMPTY);
    x().sched_deque_free(d);
    expect(x().heap_blocks_used()).toBe(blocks);
  });

  test("injector: the same, FIFO order kept; a fresh deque works afterwards", () => {
    const blocks = x().heap_blocks_used();
    const q = x().sched_injector_new();
    let n = 0, r;
    while ((r = x().sched_injector_push(q, 0, n)) === L().SUCCESS) n++;
    expect(r).toBe(L().OUT_OF_MEMORY);
    expect(x().sched_injector_len(q)).toBe(n);
    let bad = 0;
    for (let i = 0; i < n; i++) if (x().sched_injector_steal(q) !== L().SUCCESS || x().sched_taken_lo() !== i) bad++;
    expect(bad).toBe(0);
    expect(x().sched_injector_steal(q)).toBe(L().EMPTY);
    x().sched_injector_free(q);
    expect(x().heap_blocks_used()).toBe(blocks);
    const d = x().sched_deque_new(1024);
    expect(x().sched_deque_push(d, 0, 7)).toBe(L().SUCCESS);
    expect(x().sched_deque_pop(d)).toBe(L().SUCCESS);
    x().sched_deque_free(d);
  });
});
