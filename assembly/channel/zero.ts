// Zero flavor: not implemented yet (every operation answers INVALID_ARGUMENT; chanNew refuses it).
import { INVALID_ARGUMENT } from "../layout";
import { C_FLAVOR_FIELDS } from "./layout";

export function zeroSize(cap: u32): usize { return C_FLAVOR_FIELDS; }
export function zeroInit(c: usize, cap: u32): bool { return false; }
export function zeroDestroy(c: usize): void {}
export function zeroTrySend(c: usize, value: f64): i32 { return INVALID_ARGUMENT; }
export function zeroTryRecv(c: usize): i32 { return INVALID_ARGUMENT; }
export function zeroSend(c: usize, value: f64, deadline: f64): i32 { return INVALID_ARGUMENT; }
export function zeroRecv(c: usize, deadline: f64): i32 { return INVALID_ARGUMENT; }
export function zeroSendStep(c: usize, value: f64): i32 { return INVALID_ARGUMENT; }
export function zeroSendDone(c: usize): void {}
export function zeroRecvStep(c: usize): i32 { return INVALID_ARGUMENT; }
export function zeroRecvDone(c: usize): void {}
export function zeroLen(c: usize): u32 { return 0; }
export function zeroDisconnect(c: usize): bool { return false; }
export function zeroIsDisconnected(c: usize): bool { return false; }
