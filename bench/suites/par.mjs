// Suite k: weft.par on CPU-bound jobs (issue 4, section 5), ms per job. Three jobs, each run by
//
//   weft          weft.par inside a job of a 2-worker ThreadPool (`pool.install`), i.e. on all
//                 workers of this 2-core machine
//   baseline      piscina (2 threads) running the same job in chunks (fixtures/piscina-par.mjs)
//   baseline      single-thread plain JS on the main thread
//   info          weft.par on a 1-worker ThreadPool: the speed-up 1 -> 2 workers is in the notes
//
//   1. map-sum: the logistic map y = 3.9 y (1 - y), 100 steps per item, summed over 1e6 items
//      (item i starts at y0 = (i % 1000 + 0.5) / 1001): `par(range(0, N)).map(f).sum()` (the
//      map runs as a JS chunk function in the workers); piscina: 16 chunks of the range.
//   2. sum of 1e8 f64 (800 MB; it fits under init's default 1024 MiB memory maximum): one Float64
//      SharedArray, `par(sa).sum()` runs entirely in wasm; plain JS loops over the same
//      Float64Array; piscina gets the same memory (the wasm memory's SharedArrayBuffer, no copy)
//      in 2 chunks. Values are i % 1000, so every side's sum is exact and compared with ===.
//   3. Mandelbrot 800x600, 600 iterations (examples/mandelbrot.mjs's row function):
//      `pool.install(... par(range(0, H)).withMinLen(1).forEach(...))`; plain JS renders the rows
//      in a loop; piscina renders 16 row chunks into a SharedArrayBuffer. Checksums must be equal.
// Every side's result is checked in every repetition; a wrong result throws (fails the suite).
// Float sums of job 1 are compared with a relative tolerance of 1e-9 (rayon-style chunked sums
// associate differently from a left fold). --quick uses 1e5 items, 1e6 f64 and 200x150.
import { Piscina } from "piscina";

/** One Mandelbrot row (examples/mandelbrot.mjs's, without the progress counter). */
function row(y, _index, iters, W, H, maxIter) {
  const out = iters.array;
  const ci = -1.2 + (2.4 * y) / H;
  for (let x = 0; x < W; x++) {
    const cr = -2.2 + (3.2 * x) / W;
    let zr = 0, zi = 0, n = 0;
    while (n < maxIter && zr * zr + zi * zi <= 4) {
      const t = zr * zr - zi * zi + cr;
      zi = 2 * zr * zi + ci;
      zr = t;
      n++;
    }
    out[y * W + x] = n === maxIter ? 0 : n;
  }
}

/** Logistic map item i (the map function of job 1; sent as source to the workers). */
const logistic = (i) => {
  let y = ((i % 1000) + 0.5) / 1001;
  for (let k = 0; k < 100; k++) y = 3.9 * y * (1 - y);
  return y;
};

function checksumOf(a) {
  let c = 0;
  for (let i = 0; i < a.length; i++) c = (c * 31 + a[i]) >>> 0;
  return c;
}

const medianOf = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2; };

export default {
  id: "k",
  title: "weft.par: map-sum, f64 sum, Mandelbrot",
  unit: "ms",
  needsWeft: true,

  async prepare({ weft, quick }) {
    const ITEMS = quick ? 1e5 : 1e6;
    const NSUM = quick ? 1e6 : 1e8;
    const [W, H, MAXIT] = quick ? [200, 150, 600] : [800, 600, 600];
    const CHUNKS = 16;

    const one = weft.ThreadPool.create({ threads: 1 });
    const all = weft.ThreadPool.create({ threads: 2 });
    const piscina = new Piscina({
      filename: new URL("../fixtures/piscina-par.mjs", import.meta.url).href, minThreads: 2, maxThreads: 2,
    });
    const timeIt = async (body) => { const t = performance.now(); const r = await body(); return [performance.now() - t, r]; };
    const seen = {}; // case name -> figures, for the speed-ups in the notes
    const rec = (name, ms) => { (seen[name] ??= []).push(ms); return ms; };

    // ---- job 1: logistic map-sum ----
    let expected1 = 0;
    for (let i = 0; i < ITEMS; i++) expected1 += logistic(i);
    const check1 = (r, what) => {
      if (typeof r !== "number" || !(Math.abs(r - expected1) <= 1e-9 * Math.abs(expected1))) {
        throw new Error(`WRONG RESULT (map-sum, ${what}): ${r} != ${expected1}`);
      }
    };
    const mapSumIn = (pool) => pool.install([ITEMS, logistic.toString()], (n, f) =>
      globalThis.weft.par(globalThis.weft.range(0, n)).map(f).sum());
    const chunks1 = Array.from({ length: CHUNKS }, (_, c) => ({
      job: "logistic", start: Math.floor((c * ITEMS) / CHUNKS), end: Math.floor(((c + 1) * ITEMS) / CHUNKS),
    }));

    // ---- job 2: sum of NSUM f64 ----
    const sa = new weft.SharedArray(Float64Array, NSUM);
    const arr = sa.array; // a view of the wasm memory's SharedArrayBuffer
    for (let i = 0; i < NSUM; i++) arr[i] = i % 1000;
    const full = Math.floor(NSUM / 1000);
    const expected2 = full * 499500 + ((NSUM % 1000) * ((NSUM % 1000) - 1)) / 2;
    const check2 = (r, what) => { if (r !== expected2) throw new Error(`WRONG RESULT (f64 sum, ${what}): ${r} != ${expected2}`); };
    const sumIn = (pool) => pool.install([sa], (sa) => globalThis.weft.par(sa).sum());
    const half = Math.floor(NSUM / 2);
    const chunks2 = [[0, half], [half, NSUM]].map(([start, end]) => ({
      job: "sum", buffer: arr.buffer, byteOffset: arr.byteOffset, start, end,
    }));

    // ---- job 3: Mandelbrot ----
    const ref = { array: new Int32Array(W * H) };
    for (let y = 0; y < H; y++) row(y, y, ref, W, H, MAXIT);
    const expected3 = checksumOf(ref.array);
    const check3 = (a, what) => {
      const c = checksumOf(a);
      if (c !== expected3) throw new Error(`WRONG RESULT (Mandelbrot, ${what}): checksum ${c.toString(16)} != ${expected3.toString(16)}`);
    };
    const iters = new weft.SharedArray(Int32Array, W * H);
    const rowSrc = row.toString();
    const mandelIn = (pool) => pool.install([iters, W, H, MAXIT, rowSrc], (iters, W, H, maxIter, rowSrc) =>
      globalThis.weft.par(globalThis.weft.range(0, H)).withMinLen(1).forEach([iters, W, H, maxIter], rowSrc));
    const pOut = new Int32Array(new SharedArrayBuffer(W * H * 4));
    const chunks3 = Array.from({ length: CHUNKS }, (_, c) => ({
      job: "mandel", out: pOut, W, H, maxIter: MAXIT,
      y0: Math.floor((c * H) / CHUNKS), y1: Math.floor(((c + 1) * H) / CHUNKS),
    }));

    const fmtN = (n) => (n >= 1e6 && Math.log10(n) % 1 === 0 ? `1e${Math.log10(n)}` : String(n));
    const J1 = `1 map-sum logistic x100, ${fmtN(ITEMS)} items: weft par map().sum(), 2-worker pool`;
    const J1one = `(1 weft par map().sum(), 1-worker pool)`;
    const J2 = `2 sum of ${fmtN(NSUM)} f64: weft par(sa).sum() in wasm, 2-worker pool`;
    const J2one = `(2 weft par(sa).sum(), 1-worker pool)`;
    const J3 = `3 Mandelbrot ${W}x${H}x${MAXIT}: weft par forEach rows, 2-worker pool`;
    const J3one = `(3 weft par forEach rows, 1-worker pool)`;

    const cases = [
      // job 1
      { name: J1, role: "weft", run: async () => { const [ms, r] = await timeIt(() => mapSumIn(all)); check1(r, "weft 2"); return rec(J1, ms); } },
      {
        name: `1 piscina 2 threads, ${CHUNKS} chunks`, role: "baseline", vs: J1,
        run: async () => {
          const [ms, rs] = await timeIt(() => Promise.all(chunks1.map((c) => piscina.run(c))));
          check1(rs.reduce((s, v) => s + v, 0), "piscina");
          return rec("p1", ms);
        },
      },
      {
        name: "1 plain JS, main thread", role: "baseline", vs: J1,
        run: async () => {
          const [ms, s] = await timeIt(() => { let s = 0; for (let i = 0; i < ITEMS; i++) s += logistic(i); return s; });
          check1(s, "plain JS");
          return rec("s1", ms);
        },
      },
      { name: J1one, role: "info", run: async () => { const [ms, r] = await timeIt(() => mapSumIn(one)); check1(r, "weft 1"); return rec(J1one, ms); } },
      // job 2
      { name: J2, role: "weft", run: async () => { const [ms, r] = await timeIt(() => sumIn(all)); check2(r, "weft 2"); return rec(J2, ms); } },
      {
        name: "2 piscina 2 threads, 2 chunks of the same SharedArrayBuffer", role: "baseline", vs: J2,
        run: async () => {
          const [ms, rs] = await timeIt(() => Promise.all(chunks2.map((c) => piscina.run(c))));
          check2(rs[0] + rs[1], "piscina");
          return ms;
        },
      },
      {
        name: "2 plain JS loop over the Float64Array, main thread", role: "baseline", vs: J2,
        run: async () => {
          const [ms, s] = await timeIt(() => { let s = 0; for (let i = 0; i < arr.length; i++) s += arr[i]; return s; });
          check2(s, "plain JS");
          return ms;
        },
      },
      { name: J2one, role: "info", run: async () => { const [ms, r] = await timeIt(() => sumIn(one)); check2(r, "weft 1"); return rec(J2one, ms); } },
      // job 3
      {
        name: J3, role: "weft",
        run: async () => { iters.array.fill(-1); const [ms] = await timeIt(() => mandelIn(all)); check3(iters.array, "weft 2"); return rec(J3, ms); },
      },
      {
        name: `3 piscina 2 threads, ${CHUNKS} row chunks`, role: "baseline", vs: J3,
        run: async () => {
          pOut.fill(-1);
          const [ms, rs] = await timeIt(() => Promise.all(chunks3.map((c) => piscina.run(c))));
          if (rs.reduce((s, v) => s + v, 0) !== H) throw new Error(`WRONG RESULT (Mandelbrot, piscina): ${rs} rows`);
          check3(pOut, "piscina");
          return rec("p3", ms);
        },
      },
      {
        name: "3 plain JS rows, main thread", role: "baseline", vs: J3,
        run: async () => {
          const out = { array: new Int32Array(W * H).fill(-1) };
          const [ms] = await timeIt(() => { for (let y = 0; y < H; y++) row(y, y, out, W, H, MAXIT); });
          check3(out.array, "plain JS");
          return rec("s3", ms);
        },
      },
      {
        name: J3one, role: "info",
        run: async () => { iters.array.fill(-1); const [ms] = await timeIt(() => mandelIn(one)); check3(iters.array, "weft 1"); return rec(J3one, ms); },
      },
    ];

    const speedup = (label, a, b, goal) => {
      const s = medianOf(seen[a]) / medianOf(seen[b]);
      return `${label}: weft speed-up 1 -> 2 workers ${s.toFixed(2)}x${goal ? ` (goal >= 1.9x: ${s >= 1.9 ? "met" : "NOT MET"})` : " (memory-bound: no goal)"}`;
    };
    return {
      cases,
      notes: () => [
        speedup("1 map-sum", J1one, J1, true),
        speedup("2 f64 sum", J2one, J2, false),
        speedup("3 Mandelbrot", J3one, J3, true),
        `machine check: piscina's speed-up over plain JS is ${(medianOf(seen.s1) / medianOf(seen.p1)).toFixed(2)}x (job 1) and ` +
          `${(medianOf(seen.s3) / medianOf(seen.p3)).toFixed(2)}x (job 3); near 1x means no second core was free (see "others")`,
        "the 1-worker and 2-worker pools are extra pools beside init's 2 workers (idle meanwhile); 2 cores",
      ],
      async cleanup() {
        await one.shutdown(); await all.shutdown(); await piscina.destroy();
        sa.drop(); iters.drop();
      },
    };
  },
};
