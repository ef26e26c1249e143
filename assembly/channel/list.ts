// List flavor: not implemented yet (every operation answers INVALID_ARGUMENT; chanNew refuses it).
import { INVALID_ARGUMENT } from "../layout";
import { C_FLAVOR_FIELDS } from "./layout";

export function listSize(cap: u32): usize { return C_FLAVOR_FIELDS; }
export function listInit(c: usize, cap: u32): bool { return false; }
export function listDestroy(c: usize): void {}
export function listTrySend(c: usize, value: f64): i32 { return INVALID_ARGUMENT; }
export function listTryRecv(c: usize): i32 { return INVALID_ARGUMENT; }
export function listSend(c: usize, value: f64, deadline: f64): i32 { return INVALID_ARGUMENT; }
export function listRecv(c: usize, deadline: f64): i32 { return INVALID_ARGUMENT; }
export function listSendStep(c: usize, value: f64): i32 { return INVALID_ARGUMENT; }
export function listSendDone(c: usize): void {}
export function listRecvStep(c: usize): i32 { return INVALID_ARGUMENT; }
export function listRecvDone(c: usize): void {}
export function listLen(c: usize): u32 { return 0; }
export function listDisconnect(c: usize): bool { return false; }
export function listIsDisconnected(c: usize): bool { return false; }
