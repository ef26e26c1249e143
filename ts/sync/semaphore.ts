// semaphore: see assembly/sync/semaphore.ts.
export {};
