// The one file that calls wasm atomic builtins.
//
// Every shared-memory access that must be atomic goes through these wrappers, so a tracing
// build (`asc --use`, see issue 6) can swap in schedule hooks for deterministic testing.
// All wasm atomics are sequentially consistent: every Rust ordering (Relaxed … SeqCst) that an
// API accepts is honoured by the stronger SeqCst operation used here.

// @ts-ignore: decorator
@inline export function load32(ptr: usize): i32 { return atomic.load<i32>(ptr); }
// @ts-ignore: decorator
@inline export function store32(ptr: usize, v: i32): void { atomic.store<i32>(ptr, v); }
// @ts-ignore: decorator
@inline export function cas32(ptr: usize, expected: i32, next: i32): i32 {
  return atomic.cmpxchg<i32>(ptr, expected, next);
}
// @ts-ignore: decorator
@inline export function xchg32(ptr: usize, v: i32): i32 { return atomic.xchg<i32>(ptr, v); }
// @ts-ignore: decorator
@inline export function add32(ptr: usize, v: i32): i32 { return atomic.add<i32>(ptr, v); }
// @ts-ignore: decorator
@inline export function sub32(ptr: usize, v: i32): i32 { return atomic.sub<i32>(ptr, v); }
// @ts-ignore: decorator
@inline export function and32(ptr: usize, v: i32): i32 { return atomic.and<i32>(ptr, v); }
// @ts-ignore: decorator
@inline export function or32(ptr: usize, v: i32): i32 { return atomic.or<i32>(ptr, v); }
// @ts-ignore: decorator
@inline export function xor32(ptr: usize, v: i32): i32 { return atomic.xor<i32>(ptr, v); }

// @ts-ignore: decorator
@inline export function load64(ptr: usize): i64 { return atomic.load<i64>(ptr); }
// @ts-ignore: decorator
@inline export function store64(ptr: usize, v: i64): void { atomic.store<i64>(ptr, v); }
// @ts-ignore: decorator
@inline export function cas64(ptr: usize, expected: i64, next: i64): i64 {
  return atomic.cmpxchg<i64>(ptr, expected, next);
}
// @ts-ignore: decorator
@inline export function xchg64(ptr: usize, v: i64): i64 { return atomic.xchg<i64>(ptr, v); }
// @ts-ignore: decorator
@inline export function add64(ptr: usize, v: i64): i64 { return atomic.add<i64>(ptr, v); }

/** Full fence: `atomic.fence()` does not compile in AS 0.28, an RMW on a private word does. */
// @ts-ignore: decorator
@inline export function fence(scratch: usize): void { atomic.or<i32>(scratch, 0); }

/** `memory.atomic.wait32`: 0 woken, 1 value differed, 2 timed out. `ns < 0` waits forever. */
// @ts-ignore: decorator
@inline export function wait32(ptr: usize, expected: i32, ns: i64): i32 {
  return <i32>atomic.wait<i32>(ptr, expected, ns);
}
/** `memory.atomic.notify`: wakes up to `count` agents waiting on `ptr`; returns how many woke. */
// @ts-ignore: decorator
@inline export function notify(ptr: usize, count: i32): i32 { return atomic.notify(ptr, count); }
