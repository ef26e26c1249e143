#!/usr/bin/env node
// The guide's rayon example over big_data = (0..1_000_000) (tests/examples.test.ts runs it).
//   node examples/rayon-bigdata.mjs
import * as weft from "weft";

await weft.init();

// let big_data: Vec<u64> = (0..1_000_000).collect();
const bigData = new weft.SharedArray(Float64Array, 1_000_000);
for (let i = 0; i < bigData.array.length; i++) bigData.array[i] = i;

// big_data.par_iter().max().unwrap() — a built-in reduction: runs entirely in wasm
console.log("Max value in big_data:", await weft.par(bigData).max());

// big_data.par_iter().map(|&x| x * 2).filter(|&x| x % 3 == 0).collect()
// map / filter run as JS functions over each chunk on the pool's workers (sent as source)
const processed = await weft.par(bigData).map((x) => x * 2).filter((x) => x % 3 === 0).collect();
console.log("Processed data size:", processed.array.length);
processed.drop();

// big_data.par_iter().filter(|&&x| x % 2 == 0).map(|&x| x * x).sum()
// the exact u64 sum is beyond 2^53: the squares are BigInts, and sum() adds them exactly
const total = await weft.par(bigData).filter((x) => x % 2 === 0).map((x) => BigInt(x) * BigInt(x)).sum();
console.log("Total processed sum (even numbers squared):", total.toString());

bigData.drop();
await weft.shutdown();
