// rwlock: see assembly/sync/rwlock.ts.
export {};
