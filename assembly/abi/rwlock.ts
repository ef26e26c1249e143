// ABI exports for rwlock: see assembly/sync/rwlock.ts.
