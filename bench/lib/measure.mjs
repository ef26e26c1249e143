// Repetition and statistics: every figure the bench prints is the median of `reps` repetitions
// taken after `warmup` discarded ones, with the min and max beside it.
//
// A repetition is one call of a case's `run()`, which returns ONE figure in the suite's unit
// (e.g. ns per operation over a batch of a million operations). The runner interleaves the cases
// of a suite repetition by repetition (weft, baseline, weft, baseline, …) so that a slow drift of
// the machine (another process, CPU frequency) hits every case alike instead of one of them.

/** Median of a list of numbers (mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** { median, min, max, samples } of a list of figures. */
export function summarize(samples) {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples };
}

/**
 * Runs each case `warmup` times (discarded) then `reps` times, interleaved; resolves with one
 * summary per case, in the order of `cases`. `onRep(caseIndex, rep, figure)` reports progress.
 */
export async function repeatInterleaved(cases, { warmup, reps, onRep = () => {} }) {
  const samples = cases.map(() => []);
  for (let r = -warmup; r < reps; r++) {
    for (let i = 0; i < cases.length; i++) {
      const v = await cases[i].run();
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`bench case '${cases[i].name}' returned ${v}, expected a finite number`);
      }
      if (r >= 0) { samples[i].push(v); onRep(i, r, v); }
    }
  }
  return samples.map(summarize);
}

/** Nanoseconds per iteration of `body(n)`, which performs `n` operations (timed with hrtime). */
export function nsPerOp(n, body) {
  const t0 = process.hrtime.bigint();
  body(n);
  return Number(process.hrtime.bigint() - t0) / n;
}

/** Like nsPerOp for an async body. */
export async function nsPerOpAsync(n, body) {
  const t0 = process.hrtime.bigint();
  await body(n);
  return Number(process.hrtime.bigint() - t0) / n;
}

/** Milliseconds taken by an async `body()`. */
export async function msOf(body) {
  const t0 = process.hrtime.bigint();
  await body();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
