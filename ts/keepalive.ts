// Keeps the event loop alive while an async operation is parked on `Atomics.waitAsync`: a pending
// waitAsync alone does not (DESIGN.md fact 5, Node exited with code 13). Hosts provide the
// mechanism (Node: a ref'd interval); elsewhere it is a no-op.
let holders = 0;
let hold: (() => void) | null = null;
let release: (() => void) | null = null;

export function setKeepAlive(onHold: () => void, onRelease: () => void): void {
  hold = onHold;
  release = onRelease;
}

export function keepAlive(): void {
  if (holders++ === 0) hold?.();
}

export function letGo(): void {
  if (--holders === 0) release?.();
}

/** Awaits `Atomics.waitAsync(i32, index, expected, ms)` while keeping the process alive. */
export async function waitAsync(i32: Int32Array, index: number, expected: number, ms: number): Promise<string> {
  const r = Atomics.waitAsync(i32, index, expected, ms === Infinity ? undefined : ms);
  if (!r.async) return r.value;
  keepAlive();
  try { return await r.value; } finally { letGo(); }
}
