// once: see assembly/sync/once.ts.
export {};
