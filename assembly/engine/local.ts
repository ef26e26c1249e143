// Thread-locals. Wasm globals are per instance, and every thread (agent) has its own instance of
// the one module, so these globals are exactly the per-thread state. Nothing else is global.
import { H_AGENT_TABLE, AGENT_SIZE } from "../layout";

/** This instance's agent number (main thread = 1); 0 until `agent_attach`. */
export let AGENT: u32 = 0;
/** Address of this agent's record in the header. */
export let AGENT_REC: usize = 0;
/** False where this thread may not block (a browser main thread): waits become spins. */
export let CAN_BLOCK: bool = true;

export function attach(agent: u32, canBlock: bool): void {
  AGENT = agent;
  AGENT_REC = H_AGENT_TABLE + <usize>(agent - 1) * AGENT_SIZE;
  CAN_BLOCK = canBlock;
}
