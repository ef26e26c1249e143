// ABI exports for semaphore: see assembly/sync/semaphore.ts.
