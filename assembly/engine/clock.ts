// Time, imported from the host: `performance.now()` of the calling thread, in milliseconds.
// Deadlines are computed and consumed on the same thread, so per-thread time origins agree.
// @ts-ignore: decorator
@external("weft", "now")
export declare function now(): f64;
