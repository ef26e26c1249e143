// Task hand-off between threads through agent mailboxes (no postMessage per task).
//
// A worker agent sleeps on its STATE word while IDLE. A spawner picks an idle agent by winning
// the cmpxchg IDLE -> RESERVED (so two spawners never pick the same one), writes TASK, then
// publishes ASSIGNED and wakes it. The worker takes the task (ASSIGNED -> BUSY), runs it, and
// goes back to IDLE. STOP, written by the host at shutdown, wins over every other state.
//
//   FREE -> STARTING -> IDLE -> RESERVED -> ASSIGNED -> BUSY -> IDLE …      any -> STOP -> EXITED
//
// When no worker is idle, the task joins the shared pending queue and the host starts a worker
// if the queue holds more tasks than workers are starting (so every task gets a thread even if
// all others block, as Rust's spawn promises, yet a burst of tiny tasks does not start a worker
// each: busy workers finishing their task drain the queue first). An idle worker checks the
// queue after publishing IDLE, and a spawner wakes an idle worker after queueing: whichever comes
// second sees the other (both are SeqCst), so no pending task is missed.
import { cas32, load32, store32, add32, sub32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { futexWait, futexWake, spin } from "../sync/futex";
import { agentRec } from "./init";
import { AGENT_REC } from "./local";
import { now } from "./clock";

/** How long an idle worker spins for the next task before it sleeps on its mailbox. */
const SPIN_MS: f64 = 0.1;
import {
  H_AGENTS, H_PENDING_LOCK, H_PENDING_HEAD, H_PENDING_TAIL, H_PENDING_COUNT, T_NEXT, A_STATE, A_TASK, AGENT_STARTING, AGENT_IDLE, AGENT_RESERVED, AGENT_ASSIGNED, AGENT_BUSY, AGENT_STOP,
} from "../layout";

/** Queues `task` for the next worker that goes idle, then wakes an idle worker if there is one. */
export function pendingPush(task: usize): void {
  rawLock(H_PENDING_LOCK);
  store32(task + T_NEXT, 0);
  const tail = <usize>load32(H_PENDING_TAIL);
  if (tail == 0) store32(H_PENDING_HEAD, <i32>task); else store32(tail + T_NEXT, <i32>task);
  store32(H_PENDING_TAIL, <i32>task);
  add32(H_PENDING_COUNT, 1);
  rawUnlock(H_PENDING_LOCK);
  const n = <u32>load32(H_AGENTS);
  for (let a: u32 = 2; a <= n; a++) {
    const st = agentRec(a) + A_STATE;
    if (load32(st) == AGENT_IDLE) { futexWake(st, 1); return; }
  }
}

/** The oldest pending task, or 0. */
function pendingPop(): usize {
  rawLock(H_PENDING_LOCK);
  const t = <usize>load32(H_PENDING_HEAD);
  if (t != 0) {
    const next = load32(t + T_NEXT);
    store32(H_PENDING_HEAD, next);
    if (next == 0) store32(H_PENDING_TAIL, 0);
    sub32(H_PENDING_COUNT, 1);
  }
  rawUnlock(H_PENDING_LOCK);
  return t;
}

/**
 * Agents that will take a queued task soon without the host's help: those still booting, and
 * busy ones whose task is over (TASK cleared by `agentFinishing`) and which are on their way back
 * to IDLE, where they check the queue.
 */
export function agentsComing(): i32 {
  const n = <u32>load32(H_AGENTS);
  let c = 0;
  for (let a: u32 = 2; a <= n; a++) {
    const rec = agentRec(a);
    const s = load32(rec + A_STATE);
    if (s == AGENT_STARTING || (s == AGENT_BUSY && load32(rec + A_TASK) == 0)) c++;
  }
  return c;
}

/** Worker side, just before publishing its task's outcome: "my task is over, I come back". */
export function agentFinishing(): void {
  store32(AGENT_REC + A_TASK, 0);
}

/** Hands `task` to an idle worker; returns its agent number, or 0 if none is idle. */
export function agentOffer(task: usize): u32 {
  const n = <u32>load32(H_AGENTS);
  for (let a: u32 = 2; a <= n; a++) {
    const rec = agentRec(a);
    if (load32(rec + A_STATE) == AGENT_IDLE && cas32(rec + A_STATE, AGENT_IDLE, AGENT_RESERVED) == AGENT_IDLE) {
      store32(rec + A_TASK, <i32>task);
      // Publishes TASK (SeqCst). Fails only if shutdown wrote STOP meanwhile: the task is not taken.
      if (cas32(rec + A_STATE, AGENT_RESERVED, AGENT_ASSIGNED) != AGENT_RESERVED) return 0;
      futexWake(rec + A_STATE, 1);
      return a;
    }
  }
  return 0;
}

/**
 * Worker side: waits (spinning a little first, for back-to-back tasks) for a task.
 * Returns the task, or 0 when asked to stop. Called only by the agent that owns the record.
 */
export function agentTake(): usize {
  const st = AGENT_REC + A_STATE;
  // IDLE, unless the host already asked us to stop.
  const s0 = load32(st);
  if (s0 != AGENT_ASSIGNED && s0 != AGENT_STOP && cas32(st, s0, AGENT_IDLE) == AGENT_STARTING) {
    futexWake(st, -1); // the host waits for STARTING to end before init() resolves
  }
  // Spin for up to SPIN_MS before sleeping: back-to-back tasks then skip the futex round trip
  // (a wake-up costs tens of microseconds; rayon's workers spin the same way before sleeping).
  const spinUntil = now() + SPIN_MS;
  for (let r = 0; ; r++) {
    const s = load32(st);
    if (s == AGENT_STOP) return 0;
    if (s == AGENT_ASSIGNED && cas32(st, AGENT_ASSIGNED, AGENT_BUSY) == AGENT_ASSIGNED) {
      return <usize>load32(AGENT_REC + A_TASK);
    }
    // Idle: take a queued task if there is one (IDLE -> BUSY first, so no spawner picks us).
    if (s == AGENT_IDLE && load32(H_PENDING_COUNT) > 0 && cas32(st, AGENT_IDLE, AGENT_BUSY) == AGENT_IDLE) {
      const t = pendingPop();
      if (t != 0) { store32(AGENT_REC + A_TASK, <i32>t); return t; } // busy with t (agentsComing)
      cas32(st, AGENT_BUSY, AGENT_IDLE); // someone else took it; fails only if STOP came
      continue;
    }
    // RESERVED lasts a few instructions: spin through it. IDLE may last long: sleep after a while.
    if (s == AGENT_IDLE && (r & 63) == 63 && now() > spinUntil) futexWait(st, AGENT_IDLE, Infinity);
    else spin(2);
  }
  return 0; // not reached
}

/** Host side: asks an agent to exit; wakes it if it sleeps. */
export function agentStop(agent: u32): void {
  const rec = agentRec(agent);
  store32(rec + A_STATE, AGENT_STOP);
  futexWake(rec + A_STATE, 1);
}
