// Functions that travel as source text (spawn tasks, pool jobs, par chunk functions): compiled
// once per thread and cached by their source. This is weft's only use of `new Function` (the
// threat model in docs/ says what that means for CSP; a module-only mode avoids it).
const compiled = new Map<string, Function>();

/** The function whose source is `src` (cached); `what` names the caller in the error. */
export function compileSource(src: string, what: string): Function {
  let f = compiled.get(src);
  if (f === undefined) {
    f = new Function(`"use strict"; return (${src});`)() as Function;
    if (typeof f !== "function") throw new TypeError(`${what}: the source is not a function`);
    compiled.set(src, f);
  }
  return f;
}
