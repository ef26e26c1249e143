// Node's keep-alive for pending async waits (see keepalive.ts): a ref'd interval, on the main
// thread and in workers alike (a worker whose task awaits a waitAsync would otherwise end).
import { setKeepAlive } from "../keepalive";

export function installNodeKeepAlive(): void {
  let timer: ReturnType<typeof setInterval> | null = null;
  setKeepAlive(
    () => { timer = setInterval(() => {}, 1 << 30); },
    () => { if (timer !== null) clearInterval(timer); timer = null; },
  );
}
