// Scheduler groundwork (issue 4): latches and the sleep protocol of assembly/sched/ (SLEEP.md),
// through the internal ABI hook `weft.__bench.exports()`. Threads synchronise through atomics on
// SharedArrays and the protocol itself; timeouts appear only to test a timeout, or as a deadline
// whose expiry *is* the failure being tested for (a lost wake-up).
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(4);

const x = () => weft.__bench.exports();
const L = () => weft.__bench.layout();

/** Spins until `f()` holds (reads of engine state that other threads change; never sleeps). */
function until(f: () => boolean): void {
  while (!f()) { /* another thread moves the state */ }
}

describe("sched: latches", () => {
  test("lock latch: probe, set once, wait returns at once when set; timeout when unset", () => {
    const l = x().sched_latch_new(0, 0, 0);
    expect(x().sched_latch_probe(l)).toBe(0);
    expect(x().sched_latch_wait(l, 5)).toBe(L().TIMEOUT);
    expect(x().sched_latch_wait(l, 0)).toBe(L().TIMEOUT);
    expect(x().sched_latch_set(l)).toBe(1);
    expect(x().sched_latch_probe(l)).toBe(1);
    expect(x().sched_latch_wait(l, 5)).toBe(L().SUCCESS);
    expect(x().sched_latch_set(l)).toBe(1); // setting again is harmless
    x().sched_latch_free(l);
  });

  test("lock latch across threads: waiters block until another thread sets it, many rounds", async () => {
    const rounds = stress(200);
    const latches = Array.from({ length: rounds }, () => x().sched_latch_new(0, 0, 0));
    const waiters = [0, 1].map(() => weft.spawn([latches], (latches) => {
      const x = (globalThis as any).weft.__bench.exports(), L = (globalThis as any).weft.__bench.layout();
      let bad = 0;
      for (const l of latches) if (x.sched_latch_wait(l, 30_000) !== L.SUCCESS || !x.sched_latch_probe(l)) bad++;
      return bad;
    }));
    const setter = weft.spawn([latches], (latches) => {
      const x = (globalThis as any).weft.__bench.exports(), L = (globalThis as any).weft.__bench.layout();
      let waited = 0;
      for (let i = 0; i < latches.length; i++) {
        // Every other latch is set only once a waiter sleeps on it, so the wake path is exercised.
        if (i % 2 === 0) {
          while (x.sched_latch_state(latches[i]) !== L.LATCH_SLEEPING) { /* spin */ }
          waited++;
        }
        x.sched_latch_set(latches[i]);
      }
      return waited;
    });
    expect(await setter.join()).toBe(Math.ceil(rounds / 2));
    expect(await Promise.all(waiters.map((h) => h.join()))).toEqual([0, 0]);
    for (const l of latches) x().sched_latch_free(l);
  });

  test("count latch: opens at the last of n sets (exactly one set reports it), increment adds one", async () => {
    const l = x().sched_latch_new(0, 0, 3);
    x().sched_latch_increment(l); // 4 sets expected now
    const setters = [0, 1, 2, 3].map(() => weft.spawn([l], (l) => {
      return (globalThis as any).weft.__bench.exports().sched_latch_set(l);
    }));
    expect(x().sched_latch_wait(l, 30_000)).toBe(L().SUCCESS);
    const opened = await Promise.all(setters.map((h) => h.join()));
    expect(opened.filter((o) => o === 1).length).toBe(1);
    expect(x().sched_latch_probe(l)).toBe(1);
    x().sched_latch_free(l);
  });
});

describe("sched: sleep protocol", () => {
  test("bad sizes: a registry of 0 workers or more than 65535 is refused (0)", () => {
    expect(x().sched_sleep_new(0, 0)).toBe(0);
    expect(x().sched_sleep_new(0x10000, 0)).toBe(0);
  });

  test("an idle worker spins ROUNDS_UNTIL_SLEEPY rounds, gets sleepy (JEC odd), then sleeps; a timed-out sleeper counts itself out", () => {
    const reg = x().sched_sleep_new(1, 0);
    const jec0 = x().sched_sleep_jec(reg);
    x().sched_sleep_start_looking(reg, 0);
    expect(x().sched_sleep_idle(reg)).toBe(1);
    const codes: number[] = [];
    for (let i = 0; i <= L().ROUNDS_UNTIL_SLEEPY; i++) codes.push(x().sched_sleep_no_work_found(reg, 0, 0, 1));
    expect(codes.every((c) => c === L().IDLE_SPUN)).toBe(true);
    expect(x().sched_sleep_jec(reg)).toBe(jec0 + 1); // odd: sleepy
    expect(x().sched_sleep_no_work_found(reg, 0, 0, 1)).toBe(L().IDLE_TIMED_OUT);
    expect(x().sched_sleep_sleeping(reg)).toBe(0);
    expect(x().sched_sleep_idle(reg)).toBe(1);
    x().sched_sleep_work_found(reg, 0);
    expect(x().sched_sleep_idle(reg)).toBe(0);
    x().sched_sleep_free(reg);
  });

  test("a job published while a worker is sleepy interrupts its sleep (JEC moved on)", () => {
    const reg = x().sched_sleep_new(1, 0);
    x().sched_sleep_start_looking(reg, 0);
    for (let i = 0; i <= L().ROUNDS_UNTIL_SLEEPY; i++) x().sched_sleep_no_work_found(reg, 0, 0, 1);
    const sleepy = x().sched_sleep_jec(reg);
    expect(sleepy % 2).toBe(1);
    x().sched_sleep_new_jobs(reg, 1, 1);
    expect(x().sched_sleep_jec(reg)).toBe(sleepy + 1); // even: work published since
    expect(x().sched_sleep_no_work_found(reg, 0, 0, 1)).toBe(L().IDLE_INTERRUPTED_BY_JOB);
    // Back to just before sleepy: one round to get sleepy again, then it would sleep.
    expect(x().sched_sleep_no_work_found(reg, 0, 0, 1)).toBe(L().IDLE_SPUN);
    expect(x().sched_sleep_jec(reg)).toBe(sleepy + 2);
    expect(x().sched_sleep_no_work_found(reg, 0, 0, 1)).toBe(L().IDLE_TIMED_OUT);
    x().sched_sleep_free(reg);
  });

  test("a job in the injector stops a worker from sleeping (the last check)", () => {
    const q = x().sched_injector_new();
    const reg = x().sched_sleep_new(1, q);
    x().sched_sleep_start_looking(reg, 0);
    for (let i = 0; i <= L().ROUNDS_UNTIL_SLEEPY; i++) x().sched_sleep_no_work_found(reg, 0, 0, 1);
    x().sched_injector_push(q, 0, 1); // pushed without new_jobs: only the last check can see it
    expect(x().sched_sleep_no_work_found(reg, 0, 0, 1)).toBe(L().IDLE_INTERRUPTED_BY_JOB);
    expect(x().sched_sleep_sleeping(reg)).toBe(0);
    x().sched_sleep_free(reg);
    x().sched_injector_free(q);
  });

  test("a set latch stops its worker from sleeping", () => {
    const reg = x().sched_sleep_new(1, 0);
    const l = x().sched_latch_new(reg, 0, 0);
    x().sched_sleep_start_looking(reg, 0);
    for (let i = 0; i <= L().ROUNDS_UNTIL_SLEEPY; i++) x().sched_sleep_no_work_found(reg, 0, l, 1);
    x().sched_latch_set(l);
    expect(x().sched_sleep_no_work_found(reg, 0, l, 1)).toBe(L().IDLE_INTERRUPTED_BY_LATCH);
    x().sched_latch_free(l);
    x().sched_sleep_free(reg);
  });

  test("new_jobs wakes the right number: one per job beyond the awake idle workers, all if the queue had work", async () => {
    const k = 3;
    const reg = x().sched_sleep_new(k, 0);
    const flags = new weft.SharedArray(Int32Array, 2); // [0] woken count, [1] release
    const workers = Array.from({ length: k }, (_, w) => weft.spawn([reg, w, flags], (reg, w, flags) => {
      const x = (globalThis as any).weft.__bench.exports(), L = (globalThis as any).weft.__bench.layout();
      x.sched_sleep_start_looking(reg, w);
      let r;
      do r = x.sched_sleep_no_work_found(reg, w, 0, 30_000); while (r === L.IDLE_SPUN || r === L.IDLE_INTERRUPTED_BY_JOB);
      // Woken: stay counted idle (awake) without searching, until released.
      Atomics.add(flags.array, 0, 1); Atomics.notify(flags.array, 0);
      Atomics.wait(flags.array, 1, 0);
      x.sched_sleep_work_found(reg, w);
      return r;
    }));
    const a = flags.array;
    until(() => x().sched_sleep_sleeping(reg) === k);
    x().sched_sleep_new_jobs(reg, 2, 1); // 2 jobs, nobody awake: wake 2
    expect(x().sched_sleep_sleeping(reg)).toBe(1);
    until(() => Atomics.load(a, 0) === 2);
    x().sched_sleep_new_jobs(reg, 1, 1); // 1 job on an empty queue, 2 awake idle workers: wake none
    expect(x().sched_sleep_sleeping(reg)).toBe(1);
    x().sched_sleep_new_jobs(reg, 1, 0); // the queue already had work: wake one more
    expect(x().sched_sleep_sleeping(reg)).toBe(0);
    until(() => Atomics.load(a, 0) === 3);
    Atomics.store(a, 1, 1); Atomics.notify(a, 1);
    expect(await Promise.all(workers.map((h) => h.join()))).toEqual([L().IDLE_WOKEN, L().IDLE_WOKEN, L().IDLE_WOKEN]);
    expect(x().sched_sleep_idle(reg)).toBe(0);
    x().sched_sleep_free(reg);
    flags.drop();
  });

  test("spin latch: a worker waiting on its latch while stealing is woken by the set, many rounds", async () => {
    const rounds = stress(100);
    const reg = x().sched_sleep_new(1, 0);
    const latches = Array.from({ length: rounds }, () => x().sched_latch_new(reg, 0, 0));
    const owner = weft.spawn([reg, latches], (reg, latches) => {
      const x = (globalThis as any).weft.__bench.exports(), L = (globalThis as any).weft.__bench.layout();
      const seen: Record<number, number> = {};
      for (const l of latches) {
        x.sched_sleep_start_looking(reg, 0);
        while (!x.sched_latch_probe(l)) {
          const r = x.sched_sleep_no_work_found(reg, 0, l, 30_000);
          seen[r] = (seen[r] ?? 0) + 1;
        }
        x.sched_sleep_work_found(reg, 0);
      }
      return seen;
    });
    // Set every other latch only once its owner sleeps on it; the others at once.
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) until(() => x().sched_sleep_sleeping(reg) === 1);
      x().sched_latch_set(latches[i]);
    }
    const seen = await owner.join();
    expect(seen[L().IDLE_TIMED_OUT] ?? 0).toBe(0);
    expect(seen[L().IDLE_WOKEN] ?? 0).toBeGreaterThanOrEqual(rounds / 2);
    for (const l of latches) x().sched_latch_free(l);
    x().sched_sleep_free(reg);
  });

  test("no lost wake-up: a job pushed while the workers fall asleep is always taken, over many rounds", async () => {
    const rounds = stress(1000);
    const k = 2;
    const q = x().sched_injector_new();
    const d = x().sched_deque_new(4); // the producer's deque: only the JEC protects its jobs
    const reg = x().sched_sleep_new(k, q);
    const term = Array.from({ length: k }, (_, w) => x().sched_latch_new(reg, w, 0));
    const st = new weft.SharedArray(Int32Array, rounds + 2); // [0] done, [1 + r] times job r taken
    const workers = Array.from({ length: k }, (_, w) => weft.spawn([reg, w, q, d, term[w], st], (reg, w, q, d, term, st) => {
      const x = (globalThis as any).weft.__bench.exports(), L = (globalThis as any).weft.__bench.layout();
      let timeouts = 0, slept = 0;
      x.sched_sleep_start_looking(reg, w);
      while (!x.sched_latch_probe(term)) {
        let r = x.sched_deque_steal(d);
        if (r !== L.SUCCESS && r !== L.RETRY) r = x.sched_injector_steal(q);
        if (r === L.SUCCESS) {
          x.sched_sleep_work_found(reg, w);
          Atomics.add(st.array, 1 + x.sched_taken_lo(), 1);
          Atomics.add(st.array, 0, 1); Atomics.notify(st.array, 0);
          x.sched_sleep_start_looking(reg, w);
        } else if (r === L.EMPTY) {
          // A generous deadline: it expires only if a wake-up was lost (the failure under test).
          const s = x.sched_sleep_no_work_found(reg, w, term, 5_000);
          if (s === L.IDLE_TIMED_OUT) timeouts++;
          if (s === L.IDLE_WOKEN) slept++;
        }
      }
      x.sched_sleep_work_found(reg, w);
      return { timeouts, slept };
    }));
    const producer = weft.spawn([reg, q, d, st, rounds, k, term], (reg, q, d, st, rounds, k, term) => {
      const x = (globalThis as any).weft.__bench.exports();
      let lost = 0;
      for (let r = 0; r < rounds; r++) {
        // Push at varying moments of the workers' descent into sleep: at once; once one sleeps;
        // once all sleep; or once a worker got sleepy (JEC odd) plus a little jitter, which lands
        // the push in the narrow window between its last search and its registration as a
        // sleeper — the window the JEC protects. Even rounds go to the producer's deque (only
        // the JEC guards those), odd ones to the injector.
        const when = (r >> 1) % 4;
        if (when === 1) while (x.sched_sleep_sleeping(reg) < 1) { /* spin */ }
        if (when === 2) while (x.sched_sleep_sleeping(reg) < k) { /* spin */ }
        if (when === 3) {
          while ((x.sched_sleep_jec(reg) & 1) === 0) { /* spin */ }
          for (let j = (r * 37) % 400; j > 0; j--) x.sched_sleep_idle(reg); // jitter, not ordering
        }
        if (r % 2 === 0) {
          const wasEmpty = x.sched_deque_len(d) === 0 ? 1 : 0;
          x.sched_deque_push(d, 0, r);
          x.sched_sleep_new_jobs(reg, 1, wasEmpty);
        } else {
          const wasEmpty = x.sched_injector_is_empty(q);
          x.sched_injector_push(q, 0, r);
          x.sched_sleep_new_jobs(reg, 1, wasEmpty);
        }
        // Wait until it was taken (a lost wake-up would leave it there until the 5 s deadline).
        for (let done; (done = Atomics.load(st.array, 0)) <= r;) {
          if (Atomics.wait(st.array, 0, done, 10_000) === "timed-out") { lost++; break; }
        }
      }
      for (const l of term) x.sched_latch_set(l);
      return lost;
    });
    expect(await producer.join()).toBe(0);
    const results = await Promise.all(workers.map((h) => h.join()));
    expect(results.map((r) => r.timeouts)).toEqual([0, 0]);
    expect(results.reduce((a, r) => a + r.slept, 0)).toBeGreaterThan(0); // they really slept
    let bad = 0;
    for (let r = 0; r < rounds; r++) if (st.array[1 + r] !== 1) bad++;
    expect(bad).toBe(0);
    expect(x().sched_sleep_sleeping(reg)).toBe(0);
    expect(x().sched_sleep_idle(reg)).toBe(0);
    for (const l of term) x().sched_latch_free(l);
    x().sched_sleep_free(reg); x().sched_deque_free(d); x().sched_injector_free(q);
    st.drop();
  });
});
