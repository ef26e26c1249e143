// ABI exports for condvar: see assembly/sync/condvar.ts.
