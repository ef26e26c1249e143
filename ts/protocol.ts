// The wire protocol between the main thread and workers. postMessage is used only to boot a
// worker and for the rare requests below; tasks and results travel through shared memory.

/** What a worker receives at start (workerData in Node, the first message on the web). */
export interface BootData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  agent: number;
}

export const enum Msg {
  /** worker -> main: no idle worker took task `task`; start a new worker for it. */
  Grow = 1,
}

export interface GrowMsg { type: Msg.Grow; task: number; }
export type ToMain = GrowMsg;
