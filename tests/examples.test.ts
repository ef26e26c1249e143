// The runnable examples (README's tour, the `npm start` main job) stay true.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (file: string, args: string[] = []) =>
  execFileSync(process.execPath, [file, ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });

describe("examples", () => {
  it("the README tour runs every primitive and prints the expected results", () => {
    const out = run("examples/tour.mjs");
    for (const line of [
      "spawn/join: 42", "Mutex counter: 10", "recovered after poison: { hits: 1 }", "RwLock read: 1",
      "Condvar: hits reached 3", "Barrier: exactly one leader: true", "Once ran 1 time", "OnceLock: 42 42",
      "WaitGroup: all 3 threads done", "compareExchange: { ok: true, value: 1 }", "Release load: OrderingError",
      "SharedArray sum: 1000000", "channel sum: 5050", "select: hi from the thread (+1 tick)", "join: 2 6", "current thread: main", "park/unpark: unparked", "scope: 6",
    ]) expect(out).toContain(line);
  });

  it("the guide's rayon examples (weft.par) print rayon's results", () => {
    const sum = run("examples/rayon-sum.mjs");
    for (const line of ["range sum 1..=1000: 500500", "Sequential sum: 55", "Parallel sum: 55"]) expect(sum).toContain(line);
    const big = run("examples/rayon-bigdata.mjs");
    for (const line of [
      "Max value in big_data: 999999", "Processed data size: 333334",
      "Total processed sum (even numbers squared): 166666166667000000",
    ]) expect(big).toContain(line);
  });

  it("the main job renders the Mandelbrot set identically on 1 and all workers, writes a PNG and reports a speed-up", () => {
    const out = run("examples/mandelbrot.mjs", ["320", "240", "200", "build/test-mandelbrot.png"]);
    expect(out).toContain("both runs produced the same image");
    expect(out).toContain("image: build/test-mandelbrot.png (320x240, ");
    expect(out).toMatch(/speed-up: \d+\.\d\dx on \d+ threads/);
    expect(out).not.toContain("MISMATCH");
    const png = readFileSync(`${root}build/test-mandelbrot.png`);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
  });

  it("the main job refuses a bad size with exit code 2", () => {
    let status: number | null = null;
    try { run("examples/mandelbrot.mjs", ["0"]); } catch (e) { status = (e as { status: number }).status; }
    expect(status).toBe(2);
  });

  it("the first main job counts the primes below 1e6 correctly on 1 and all threads and reports a speed-up", () => {
    const out = run("examples/primes.mjs", ["1e6"]);
    expect(out).toContain("pi(1,000,000) = 78,498  matches the known value");
    expect(out).toMatch(/speed-up: \d+\.\d\dx on \d+ threads/);
    expect(out).not.toContain("MISMATCH");
  });

  it("the main job refuses a bad N with exit code 2", () => {
    let status: number | null = null;
    try { run("examples/primes.mjs", ["-5"]); } catch (e) { status = (e as { status: number }).status; }
    expect(status).toBe(2);
  });
});
