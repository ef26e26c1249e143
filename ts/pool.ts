// The main thread's pool of workers: boots them, starts more when every worker is busy (a
// spawned thread always gets its own thread, as in Rust), and stops them at shutdown.
import { engine, views } from "./engine";
import { Msg, type ToMain } from "./protocol";
import type { Host, WorkerLike } from "./hosts/host";
import { ThreadLimitError } from "./errors";
import { waitAsync } from "./keepalive";

interface Member { agent: number; worker: WorkerLike; }

export class Pool {
  readonly #host: Host;
  readonly #members = new Map<number, Member>();
  #failure: Error | null = null;

  constructor(host: Host) { this.#host = host; }

  get size(): number { return this.#members.size; }

  /** Starts `n` workers and resolves once each is idle and waiting for tasks. */
  async boot(n: number): Promise<void> {
    const agents: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = this.#start();
      if (a === 0) throw new ThreadLimitError(engine().L.MAX_AGENTS - 1);
      agents.push(a);
    }
    const { L } = engine();
    for (const a of agents) {
      const idx = (L.H_AGENT_TABLE + (a - 1) * L.AGENT_SIZE + L.A_STATE) >>> 2;
      let s: number;
      // Ends when the worker reaches IDLE, or when it failed or exited (the handlers below store
      // EXITED and notify, so this wait never outlives a dead worker).
      while ((s = Atomics.load(views().i32, idx)) === L.AGENT_STARTING) {
        await waitAsync(views().i32, idx, s, Infinity);
      }
      if (this.#failure) throw this.#failure;
      if (s === L.AGENT_EXITED) throw new Error(`weft: worker for agent ${a} exited while booting`);
    }
  }

  /** Hands `task` to an idle worker, or queues it and starts workers as needed. */
  dispatch(task: number): void {
    if (engine().x.task_dispatch(task) === 0) this.grow();
  }

  /**
   * Starts workers while more tasks are queued than workers are booting. At the thread limit the
   * queued tasks wait for a worker to finish (they are not refused).
   */
  grow(): void {
    const { x } = engine();
    graceForBusyWorkers();
    while (x.pool_should_grow() !== 0 && this.#start() !== 0);
  }

  /** Starts a worker; returns its agent, or 0 at the thread limit. */
  #start(): number {
    const { x, L } = engine();
    const agent = x.agent_claim();
    if (agent === 0) return 0;
    const rec = L.H_AGENT_TABLE + (agent - 1) * L.AGENT_SIZE;
    const e = engine();
    const gone = (): void => {
      const i = (rec + L.A_STATE) >>> 2;
      Atomics.store(views().i32, i, L.AGENT_EXITED);
      Atomics.notify(views().i32, i); // wakes init() if it waits for this worker to boot
    };
    const worker = this.#host.startWorker({ module: e.module, memory: e.memory, agent }, {
      message: (msg: ToMain) => { if (msg.type === Msg.Grow) this.grow(); },
      error: (err: Error) => { this.#failure ??= err; gone(); },
      exit: () => { this.#members.delete(agent); gone(); },
    });
    this.#members.set(agent, { agent, worker });
    return agent;
  }

  /** Asks every worker to stop after its current task; terminates those still busy after `graceMs`. */
  async shutdown(graceMs: number): Promise<void> {
    const { x } = engine();
    const members = [...this.#members.values()];
    for (const m of members) x.agent_stop(m.agent);
    await Promise.all(members.map(async (m) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((r) => { timer = setTimeout(() => r("late"), graceMs); });
      const r = await Promise.race([m.worker.exited.then(() => "exited" as const), late]);
      clearTimeout(timer);
      if (r === "late") await m.worker.terminate();
    }));
    this.#members.clear();
  }
}

/**
 * A worker finishing its task takes queued tasks within microseconds, and starting a worker
 * costs tens of milliseconds: before growing, give the busy workers GROW_GRACE_MS to drain the
 * queue (back-to-back spawn + join otherwise starts a worker whenever the previous task's worker
 * has not quite gone idle yet).
 */
export function graceForBusyWorkers(): void {
  const { x } = engine();
  const until = performance.now() + GROW_GRACE_MS;
  for (let i = 0; x.pool_should_grow() !== 0; i++) {
    if ((i & 15) === 15 && performance.now() > until) return;
  }
}
const GROW_GRACE_MS = 0.25;
