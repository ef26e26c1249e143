// Replaces AssemblyScript's `abort` (wired by `use: abort=…` in asconfig.json): the default one
// passes message strings, which would put data segments into the module (DESIGN.md fact 2).
// A failed debug assertion traps; the host turns the trap into a typed error.
export function weftAbort(message: usize, file: usize, line: u32, column: u32): void {
  unreachable();
}
