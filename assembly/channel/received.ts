// The value of this thread's last successful receive, shared by every flavor. Wasm globals are
// per instance, and every thread has its own instance: this is a thread-local, never shared.
let received: f64 = 0;

// @ts-ignore: decorator
@inline export function setReceived(v: f64): void { received = v; }
// @ts-ignore: decorator
@inline export function getReceived(): f64 { return received; }
