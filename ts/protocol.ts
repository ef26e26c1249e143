// The wire protocol between the main thread and workers. postMessage is used only to boot a
// worker and for the rare requests below; tasks and results travel through shared memory.

/** What a worker receives at start (workerData in Node, the first message on the web). */
export interface BootData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  agent: number;
}

export const enum Msg {
  /** worker -> main: tasks are queued with no worker free: start workers (Pool.grow). */
  Grow = 1,
}

export interface GrowMsg { type: Msg.Grow; }
export type ToMain = GrowMsg;
