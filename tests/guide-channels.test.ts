// The Rust concurrency guide's std::sync::mpsc examples (shared/seed, "Communicating Between
// Threads"), re-expressed with weft: strings travel on an "any" channel. The first example uses
// the guide's mpsc::channel() (unbounded); the others a small bounded channel (crossbeam's
// bounded / Rust's sync_channel), which makes the producer wait for the consumer.
// Spawn args are shared, not moved: main closes its own Sender, as the guide's `move` (or
// drop(tx)) gives the only one away.
import { describe, it, expect } from "vitest";
import { weft, useWeft } from "./helpers";

useWeft(2);

describe("the guide's channel examples", () => {
  it("a producer thread sends four strings; the consumer loop ends when the producer finishes", async () => {
    const [tx, rx] = weft.mpsc.channel<string>({ of: "any" });
    const producerHandle = weft.spawn([tx], (tx) => {
      const messages = ["hi", "from", "the", "producer"];
      for (const msg of messages) {
        console.log(`Producer: Sending ${msg}`);
        tx.send(msg);
      }
      // tx goes out of scope when the thread ends
    });
    tx.close(); // the spawned thread's handle is the only Sender left
    const received: string[] = [];
    for (const msg of rx) { // blocks until a message arrives; ends once every Sender is gone
      console.log(`Consumer: Got: ${msg}`);
      received.push(msg);
    }
    await producerHandle.join();
    expect(received).toEqual(["hi", "from", "the", "producer"]);
    expect(rx.isDisconnected()).toBe(true);
    rx.close();
  });

  it("the same consumer, asynchronously: for await on a thread that must not block", async () => {
    const [tx, rx] = weft.bounded<string>(1, { of: "any" });
    const producerHandle = weft.spawn([tx], (tx) => { for (const msg of ["hi", "from", "the", "producer"]) tx.send(msg); });
    tx.close();
    const received: string[] = [];
    for await (const msg of rx) received.push(msg);
    await producerHandle.join();
    expect(received).toEqual(["hi", "from", "the", "producer"]);
    rx.close();
  });

  it("multiple producers: two cloned Senders, the original dropped, the receiver collects all", async () => {
    const [tx, rx] = weft.bounded<string>(2, { of: "any" });
    const tx1 = tx.clone();
    const h1 = weft.spawn([tx1], (tx1) => { tx1.send("hello from tx1"); });
    tx1.close(); // moved into the thread
    const tx2 = tx.clone();
    const h2 = weft.spawn([tx2], (tx2) => { tx2.send("hello from tx2"); });
    tx2.close();
    // Drop the original tx so the channel closes once tx1 and tx2 are done.
    tx.close();
    const received: string[] = [];
    for (const msg of rx) {
      console.log(`Got: ${msg}`);
      received.push(msg);
    }
    await Promise.all([h1.join(), h2.join()]);
    expect(received.sort()).toEqual(["hello from tx1", "hello from tx2"]);
    rx.close();
  });

  it("without dropping the original Sender the loop could not end: tryRecv sees Empty, not Disconnected", async () => {
    const [tx, rx] = weft.bounded<string>(2, { of: "any" });
    const tx1 = tx.clone();
    await weft.spawn([tx1], (tx1) => { tx1.send("hello from tx1"); }).join();
    tx1.close();
    expect(rx.recv()).toBe("hello from tx1");
    let e: any;
    try { rx.tryRecv(); } catch (x) { e = x; }
    expect(e.kind).toBe("Empty"); // tx is still alive: `for received in rx` would wait forever
    tx.close();
    try { rx.tryRecv(); } catch (x) { e = x; }
    expect(e.kind).toBe("Disconnected");
    rx.close();
  });
});
