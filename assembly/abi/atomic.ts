// ABI exports for atomic: see assembly/sync/atomic.ts.
