#!/usr/bin/env node
// The guide's rayon sums, with weft.par (tests/examples.test.ts runs it).
//   node examples/rayon-sum.mjs
// rayon: (1..=1000).into_par_iter().sum() and data.par_iter().sum()
import * as weft from "weft";

await weft.init();

// A range sums in wasm, split over the pool (rayon's thief splitting); integer sums are exact.
console.log("range sum 1..=1000:", await weft.par(weft.range(1, 1001)).sum());

// A plain array is copied into a SharedArray first; a SharedArray is read in place.
const data = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
console.log("Sequential sum:", data.reduce((a, b) => a + b, 0));
console.log("Parallel sum:", await weft.par(data).sum());

await weft.shutdown();
