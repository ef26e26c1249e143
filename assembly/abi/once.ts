// ABI exports for once: see assembly/sync/once.ts.
