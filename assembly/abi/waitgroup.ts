// ABI exports for waitgroup: see assembly/sync/waitgroup.ts.
