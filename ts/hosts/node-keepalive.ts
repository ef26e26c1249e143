// Node's keep-alive for pending async waits (see keepalive.ts): a ref'd interval, on the main
// thread and in workers alike (a worker whose task awaits a waitAsync would otherwise end).
import { setKeepAlive } from "../keepalive";

let timer: ReturnType<typeof setInterval> | null = null;

export function installNodeKeepAlive(): void {
  // One long interval per thread, ref'd while async waits are pending and unref'd otherwise:
  // toggling is much cheaper than creating a timer per wait.
  if (timer !== null) return;
  const t = timer = setInterval(() => {}, 1 << 30);
  t.unref();
  setKeepAlive(() => { t.ref(); }, () => { t.unref(); });
}
