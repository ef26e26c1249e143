// Shared test fixtures.
import { beforeAll, afterAll } from "vitest";
import * as weft from "../build/index.js";

export { weft };

/** Starts weft with `threads` workers for the file, shuts it down after. */
export function useWeft(threads = 2, memory?: { initialMiB?: number; maximumMiB?: number }): void {
  beforeAll(async () => { await weft.init({ threads, memory }); });
  afterAll(async () => { await weft.shutdown(); });
}

/** Iteration count of a stress test: `WEFT_STRESS` scales the CI-sized default. */
export function stress(ciDefault: number): number {
  const scale = Number(process.env.WEFT_STRESS ?? 1);
  return Math.max(1, Math.round(ciDefault * scale));
}
