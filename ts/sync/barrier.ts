// barrier: see assembly/sync/barrier.ts.
export {};
