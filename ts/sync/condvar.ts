// condvar: see assembly/sync/condvar.ts.
export {};
