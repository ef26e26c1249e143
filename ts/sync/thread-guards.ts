// Read guards still live when a thread's function ends. Exclusive locks are found through the
// engine's held-lock list (assembly/engine/panic.ts); read locks are shared and not listed there,
// so their guards register here while live, and the worker releases what is left at the end of
// each thread (a panicking reader would otherwise keep writers out forever).
const live = new Set<{ unlock(): void }>();

export function trackGuard(g: { unlock(): void }): void { live.add(g); }
export function untrackGuard(g: { unlock(): void }): void { live.delete(g); }

/** Releases every tracked guard; returns how many were still live. */
export function releaseTrackedGuards(): number {
  const n = live.size;
  for (const g of [...live]) {
    try { g.unlock(); } catch { /* already released by other means */ }
  }
  live.clear();
  return n;
}
