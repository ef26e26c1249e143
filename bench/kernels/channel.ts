// The bench kernel of suite f (channel-spsc, in-wasm case): a producer and a consumer written
// against weft's AssemblyScript library (assembly/lib), built by bench/lib/kernel.mjs into
// build/bench-channel-kernel.wasm and run in two worker_threads over one engine memory.
import { Sender, Receiver, malloc, free, SUCCESS, CHAN_KIND_F64 } from "../../assembly/lib/index";

export { agent_attach } from "../../assembly/lib/index";

/** Sends 0..n-1 one by one; returns the number of sends that failed. */
export function produce(tx: usize, n: i32): i32 {
  const s = Sender.at(tx);
  let bad = 0;
  for (let i = 0; i < n; i++) if (s.send(<f64>i) != SUCCESS) bad++;
  return bad;
}

/** Receives n messages one by one; their sum (-1 if one was out of order or failed). */
export function consume(rx: usize, n: i32): f64 {
  const r = Receiver.at(rx);
  let sum: f64 = 0;
  let bad = false;
  for (let i = 0; i < n; i++) {
    if (r.recv() != SUCCESS || r.value != <f64>i) bad = true;
    sum += r.value;
  }
  return bad ? -1 : sum;
}

/** Sends 0..n-1 in batches of `batch` through a buffer of its own; returns the count sent. */
export function produce_many(tx: usize, n: i32, batch: i32): i32 {
  const s = Sender.at(tx);
  const buf = malloc(<usize>batch << 3);
  let sent = 0;
  while (sent < n) {
    const k = min(batch, n - sent);
    for (let j = 0; j < k; j++) store<f64>(buf + (<usize>j << 3), <f64>(sent + j));
    const m = <i32>s.sendMany(buf, k, CHAN_KIND_F64);
    sent += m;
    if (m < k) break;
  }
  free(buf);
  return sent;
}

/** Receives n messages with recvMany (up to `batch` at a time); their sum (-1 if out of order). */
export function consume_many(rx: usize, n: i32, batch: i32): f64 {
  const r = Receiver.at(rx);
  const buf = malloc(<usize>batch << 3);
  let sum: f64 = 0;
  let got = 0;
  let bad = false;
  while (got < n) {
    const m = <i32>r.recvMany(buf, min(batch, n - got), CHAN_KIND_F64);
    if (m == 0) { bad = true; break; }
    for (let j = 0; j < m; j++) {
      const v = load<f64>(buf + (<usize>j << 3));
      if (v != <f64>(got + j)) bad = true;
      sum += v;
    }
    got += m;
  }
  free(buf);
  return bad ? -1 : sum;
}
