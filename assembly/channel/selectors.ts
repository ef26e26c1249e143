// Selectors: operations waiting on several channels at once (select) register here.
// Not implemented yet: nothing registers, so SEL_COUNT stays 0 and this is never called.

/** Selects one registered selector of waker `w` (every one if `all`) and wakes it. */
export function selectorsNotify(w: usize, all: bool): void {}
