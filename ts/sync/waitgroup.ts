// waitgroup: see assembly/sync/waitgroup.ts.
export {};
