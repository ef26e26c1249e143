#!/usr/bin/env node
// weft's main job (`npm start`): render the Mandelbrot set with weft.par on the work-stealing pool,
// once on a 1-worker pool and once on a pool of every worker, show a progress bar while each
// runs, write the image as a PNG, and print the times and the speed-up.
//
//   node examples/mandelbrot.mjs [width] [height] [maxIter] [out.png]
//   (defaults 1600 1200 600 build/mandelbrot.png)
//
// The work is uneven (rows through the set cost maxIter iterations a pixel, rows outside it a
// few), which is what rayon's thief splitting balances: a row range splits in half whenever a
// worker steals it, down to one row. Each row is computed by a JS function that runs inside a
// worker over a typed-array view of the shared memory (one call per row, never per pixel).
import * as weft from "weft";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PNG } from "pngjs";
import cliProgress from "cli-progress";

const arg = (i, dflt) => (process.argv[i] === undefined ? dflt : Number(process.argv[i]));
const W = arg(2, 1600), H = arg(3, 1200), MAX_ITER = arg(4, 600);
const OUT = process.argv[5] ?? "build/mandelbrot.png";
for (const [name, v] of [["width", W], ["height", H], ["maxIter", MAX_ITER]]) {
  if (!Number.isInteger(v) || v < 1 || v > 20000) {
    console.error(`mandelbrot: ${name} must be an integer in [1, 20000], got ${process.argv[2 + ["width", "height", "maxIter"].indexOf(name)]}`);
    process.exit(2);
  }
}

await weft.init();
const all = weft.stats().workers;

/** One row of the image: iteration counts (0 = inside the set), written by whichever worker runs it. */
function row(y, _index, iters, progress, W, H, maxIter) {
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
  Atomics.add(progress.array, 0, 1); // rows done, for the progress bar
}

/** Renders on `pool`; resolves with { ms, iters } while a bar follows the rows done. */
async function render(pool, label) {
  const iters = new weft.SharedArray(Int32Array, W * H);
  const progress = new weft.SharedArray(Int32Array, 1);
  const bar = new cliProgress.SingleBar({
    format: `  ${label.padEnd(12)} [{bar}] {percentage}% | {value}/{total} rows | {duration_formatted}`,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(H, 0);
  const tick = setInterval(() => bar.update(Atomics.load(progress.array, 0)), 50);
  const t0 = performance.now();
  try {
    await pool.install([iters, progress, W, H, MAX_ITER, row.toString()], (iters, progress, W, H, maxIter, rowSrc) =>
      globalThis.weft.par(globalThis.weft.range(0, H)).withMinLen(1)
        .forEach([iters, progress, W, H, maxIter], rowSrc));
  } finally {
    clearInterval(tick);
  }
  const ms = performance.now() - t0;
  bar.update(Atomics.load(progress.array, 0));
  bar.stop();
  progress.drop();
  return { ms, iters };
}

const one = weft.ThreadPool.create({ threads: 1 });
const many = weft.ThreadPool.create({ threads: all });
console.log(`Mandelbrot ${W}x${H}, up to ${MAX_ITER} iterations a pixel, weft.par over rows`);
const r1 = await render(one, "1 worker");
const rN = await render(many, `${all} workers`);
await one.shutdown();
await many.shutdown();

// Both runs must give the same image, pixel for pixel.
const a = r1.iters.array, b = rN.iters.array;
let same = a.length === b.length, inside = 0, checksum = 0;
for (let i = 0; i < a.length; i++) {
  if (a[i] !== b[i]) same = false;
  if (b[i] === 0) inside++;
  checksum = (checksum * 31 + b[i]) >>> 0;
}

// Colour: inside the set black, outside a smooth blue-to-gold ramp by escape time.
const png = new PNG({ width: W, height: H });
for (let i = 0; i < b.length; i++) {
  const n = b[i];
  const t = n === 0 ? 0 : Math.sqrt(n / MAX_ITER);
  png.data[i * 4] = n === 0 ? 0 : Math.round(255 * Math.min(1, 2.2 * t));
  png.data[i * 4 + 1] = n === 0 ? 0 : Math.round(255 * Math.min(1, 1.4 * t));
  png.data[i * 4 + 2] = n === 0 ? 0 : Math.round(255 * (0.35 + 0.65 * (1 - t)));
  png.data[i * 4 + 3] = 255;
}
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, PNG.sync.write(png));
r1.iters.drop();
rN.iters.drop();

const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
console.log("");
console.log("  run           threads     time");
console.log(`  1 worker            1  ${fmt(r1.ms)}`);
console.log(`  all workers   ${String(all).padStart(7)}  ${fmt(rN.ms)}`);
console.log("");
console.log(`  image: ${OUT} (${W}x${H}, ${inside} pixels inside the set, checksum ${checksum.toString(16)})`);
console.log(same ? "  both runs produced the same image" : "  MISMATCH: the two runs produced different images");
const speedup = r1.ms / rN.ms;
console.log(`  speed-up: ${speedup.toFixed(2)}x on ${all} threads (${((100 * speedup) / all).toFixed(0)}% parallel efficiency)`);
await weft.shutdown();
if (!same) process.exit(1);
