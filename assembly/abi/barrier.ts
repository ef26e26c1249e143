// ABI exports for barrier: see assembly/sync/barrier.ts.
