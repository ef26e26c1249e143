// One-time initialisation of the engine header, and agent records.
//
// Every instance runs the same code, and data segments or a start function would run again in
// each (DESIGN.md fact 2), so the header is initialised by whichever instance first wins the
// cmpxchg of INIT from NONE to BUSY; the others wait until it reads READY.
import { cas32, load32, store32 } from "../sync/atomic";
import { futexWait, futexWake } from "../sync/futex";
import {
  H_INIT, H_MAGIC, H_MEM_BYTES, H_HEAP_BASE, H_HEAP_TOP, H_THREAD_IDS, H_AGENTS, MAGIC, INIT_NONE, INIT_BUSY,
  INIT_READY, H_AGENT_TABLE, AGENT_SIZE, MAX_AGENTS, A_STATE, AGENT_FREE, AGENT_EXITED,
  AGENT_STARTING, AGENT_BUSY,
} from "../layout";

/** Initialises the header once; returns 1 for the instance that did it, 0 for the others. */
export function engineInit(): i32 {
  if (cas32(H_INIT, INIT_NONE, INIT_BUSY) == INIT_NONE) {
    const base = (__heap_base + 15) & ~15;
    store32(H_HEAP_BASE, <i32>base);
    store32(H_HEAP_TOP, <i32>base);
    store32(H_THREAD_IDS, 1);  // ThreadId 1 is the main thread
    store32(H_AGENTS, 1);      // agent 1 is the main thread
    store32(agentRec(1) + A_STATE, AGENT_BUSY);
    store32(H_MEM_BYTES, <i32>(<usize>memory.size() * 65536));
    store32(H_MAGIC, <i32>MAGIC);
    store32(H_INIT, INIT_READY); // publishes everything above (SeqCst store)
    futexWake(H_INIT, -1);
    return 1;
  }
  while (load32(H_INIT) != INIT_READY) futexWait(H_INIT, INIT_BUSY, Infinity);
  return 0;
}

// @ts-ignore: decorator
@inline export function agentRec(agent: u32): usize {
  return H_AGENT_TABLE + <usize>(agent - 1) * AGENT_SIZE;
}

/** Claims a free (or exited) agent record for a new worker; 0 when all MAX_AGENTS are in use. */
export function agentClaim(): u32 {
  for (let a: u32 = 2; a <= MAX_AGENTS; a++) {
    const rec = agentRec(a);
    const s = load32(rec + A_STATE);
    if ((s == AGENT_FREE || s == AGENT_EXITED) && cas32(rec + A_STATE, s, AGENT_STARTING) == s) {
      for (let o: usize = 4; o < AGENT_SIZE; o += 4) store32(rec + o, 0);
      if (a > <u32>load32(H_AGENTS)) store32(H_AGENTS, a);
      return a;
    }
  }
  return 0;
}
