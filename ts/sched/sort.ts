// weft.par(src).sort(): rayon's par_sort for numbers — a parallel merge sort on the pool. Halves
// are sorted with `join` (work-first: a stolen half runs on another worker), leaves of about
// n / (4 * threads) elements (at least `minLen`) with the typed array's own sort, then the two sorted halves are merged in place (the
// left half copied out first). The order is exactly TypedArray.prototype.sort's: ascending,
// -0 before +0, NaN last.
import { SharedArray } from "../shared-array";
import { ThreadPool, getDefaultPool } from "./pool";

/** Sorts `sa`'s elements in place on the calling pool (or the default pool). */
export function parSort(sa: SharedArray, minLen: number): unknown {
  const pool = ThreadPool.current() ?? getDefaultPool();
  const n = sa.array.length;
  // Leaves of about n / (4 * threads): enough pieces to balance, few merge levels (each level
  // moves every element once, in JS, while the leaves use the engine's native sort).
  const leaf = Math.max(minLen, 2, Math.ceil(n / (4 * pool.threads)));
  return pool.install([sa, 0, n, leaf], sortRange);
}

/**
 * Sorts [lo, hi) of `sa` (sent as source to whichever worker runs it: self-contained, the
 * recursion through its own name). Exported only to be sent; not API.
 */
export const sortRange = function sortRange(sa: SharedArray, lo: number, hi: number, minLen: number): void {
  const a = sa.array as unknown as { [i: number]: number; subarray(s: number, e: number): { sort(): void }; slice(s: number, e: number): ArrayLike<number> };
  if (hi - lo <= minLen) { a.subarray(lo, hi).sort(); return; }
  const mid = lo + ((hi - lo) >>> 1);
  (globalThis as unknown as { weft: { ThreadPool: typeof ThreadPool } }).weft.ThreadPool.current()!
    .join([sa, lo, mid, minLen], sortRange, [sa, mid, hi, minLen], sortRange);
  // TypedArray order: x before y when x < y, or -0 before +0, or y is NaN and x is not.
  const left = a.slice(lo, mid);
  let i = 0, j = mid, k = lo;
  const nl = mid - lo;
  while (i < nl && j < hi) {
    const x = a[j], y = left[i];
    // x (right) goes first only when strictly before y: stable, like the leaves' sort.
    if (x < y || (x === 0 && y === 0 && 1 / x < 1 / y) || (y !== y && x === x)) { a[k++] = x; j++; } else { a[k++] = y; i++; }
  }
  while (i < nl) a[k++] = left[i++];
};
