// Shared-memory layout: the engine header in [0, 64 KiB), object headers, result codes.
//
// These constants are the single source of truth: `index.ts` exports every one of them as a wasm
// global, and the TypeScript host reads the offsets from those exports at init (ts/layout.ts), so
// the two sides cannot drift. A debug-build check (`layout_check`) asserts the invariants below.
//
//  0        128                    1024                          1024+128*64  32768         65536
//  +--------+----------------------+-----------------------------+------------+-------------+---- - -
//  | engine | size-class table     | agent records               | (free)     | codec       | AS statics
//  | words  | 21 x {lock, head}    | 128 x 64 bytes              |            | structures  | (empty), heap
//  +--------+----------------------+-----------------------------+------------+-------------+---- - -
//
// Engine words (all u32/i32 unless noted):
//   0  INIT        0 = untouched, 1 = initialising, 2 = ready (cmpxchg'd once, see engine/init.ts)
//   4  MAGIC       0x5446_4557 ("WEFT") once ready
//   8  HEAP_TOP    bump pointer of the heap (advanced under GROW_LOCK)
//  12  HEAP_BASE   first heap byte (after the AS statics)
//  16  GROW_LOCK   raw lock serialising bump allocation and memory.grow
//  20  LARGE_LOCK  raw lock of the large-block free list
//  24  LARGE_HEAD  address-ordered free list of large blocks
//  28  GEN         generation counter: every shared object gets a fresh, non-zero generation
//  32  THREAD_IDS  counter handing out weft ThreadIds (main thread = 1)
//  36  AGENTS      number of agent records handed out (main = agent 1)
//  40  BYTES_USED  bytes in live blocks (headers included)
//  44  BLOCKS_USED live blocks
//  48  OOM_COUNT   allocations refused for lack of memory
//  52  SCRATCH     word for fences
//  56  PENDING_LOCK raw lock of the pending-task queue (tasks no idle worker took yet)
//  60  PENDING_HEAD first pending task (linked through T_NEXT), 64 PENDING_TAIL, 68 PENDING_COUNT
//  72  MEM_BYTES   current byte length of the memory, rewritten after every growth: hosts compare
//                  it with their views' length instead of calling the costly `memory.buffer`
//  76  CODEC_LOCK  raw lock (sync/rawlock.ts) of the codec's shared record structures (below)
//  80  CODEC_COUNT how many record structures CODEC_AREA holds (only ever grows)
//  84  CODEC_BYTES byte length of the structures' encoding in CODEC_AREA
//
// Codec structures area [CODEC_AREA, CODEC_AREA + CODEC_AREA_SIZE): the msgpackr record
// structures (key lists) every thread's codec shares, as the UTF-8 JSON of a string[][]; written
// and read by the host only, under CODEC_LOCK (ts/codec.ts, assembly/abi/codec.ts).

export const H_INIT: usize = 0;
export const H_MAGIC: usize = 4;
export const H_HEAP_TOP: usize = 8;
export const H_HEAP_BASE: usize = 12;
export const H_GROW_LOCK: usize = 16;
export const H_LARGE_LOCK: usize = 20;
export const H_LARGE_HEAD: usize = 24;
export const H_GEN: usize = 28;
export const H_THREAD_IDS: usize = 32;
export const H_AGENTS: usize = 36;
export const H_BYTES_USED: usize = 40;
export const H_BLOCKS_USED: usize = 44;
export const H_OOM_COUNT: usize = 48;
export const H_SCRATCH: usize = 52;
export const H_PENDING_LOCK: usize = 56;
export const H_PENDING_HEAD: usize = 60;
export const H_PENDING_TAIL: usize = 64;
export const H_PENDING_COUNT: usize = 68;
export const H_MEM_BYTES: usize = 72;
export const H_CODEC_LOCK: usize = 76;
export const H_CODEC_COUNT: usize = 80;
export const H_CODEC_BYTES: usize = 84;
export const CODEC_AREA: usize = 32768;
export const CODEC_AREA_SIZE: usize = 32768;

export const MAGIC: u32 = 0x54464557;
export const INIT_NONE: i32 = 0;
export const INIT_BUSY: i32 = 1;
export const INIT_READY: i32 = 2;

// Size-class table: class i at H_CLASSES + i*8 = { lock: i32, head: u32 }.
export const H_CLASSES: usize = 128;
export const NUM_CLASSES: i32 = 21;
export const CLASS_STRIDE: usize = 8;

// Agent records: one per wasm instance (main thread = agent 1, workers 2..). 64 bytes each.
//   +0  STATE     futex word of the worker mailbox (AGENT_* states below)
//   +4  TASK      task object handed to this agent
//   +8  HELD      head of the intrusive list of locks this agent holds (through LOCK_NEXT_HELD)
//   +12 WAITING   lock this agent is blocked on, 0 if none (deadlock detection)
//   +16 THREAD    weft ThreadId of the thread running on this agent
//   +20 FLAGS     AGENT_F_* bits
export const H_AGENT_TABLE: usize = 1024;
export const AGENT_SIZE: usize = 64;
export const MAX_AGENTS: u32 = 128;
export const A_STATE: usize = 0;
export const A_TASK: usize = 4;
export const A_HELD: usize = 8;
export const A_WAITING: usize = 12;
export const A_THREAD: usize = 16;
export const A_FLAGS: usize = 20;

export const AGENT_FREE: i32 = 0;      // record unused
export const AGENT_STARTING: i32 = 1;  // worker booting
export const AGENT_IDLE: i32 = 2;      // waiting for a task (futex-waits on STATE)
export const AGENT_RESERVED: i32 = 3;  // a spawner won the IDLE->RESERVED cmpxchg, writing TASK
export const AGENT_ASSIGNED: i32 = 4;  // TASK is written; the worker may take it
export const AGENT_BUSY: i32 = 5;      // running a task
export const AGENT_STOP: i32 = 6;      // asked to exit
export const AGENT_EXITED: i32 = 7;    // gone

export const HEADER_END: usize = H_AGENT_TABLE + <usize>MAX_AGENTS * AGENT_SIZE;

// Shared objects: 16-byte header in the heap, followed by the type's fields.
//   +0 TAG  type tag (high bit set, so no heap pointer can look like one); 0 once freed
//   +4 GEN  generation, copied into every handle and checked when a handle is re-created
//   +8 REFS reference count (Arc): clone +1, drop -1, freed at 0
//   +12 AUX type-specific word (value kind for locks)
export const O_TAG: usize = 0;
export const O_GEN: usize = 4;
export const O_REFS: usize = 8;
export const O_AUX: usize = 12;
export const OBJ_HEADER: usize = 16;

export const TAG_MUTEX: u32 = 0xC0DE0001;
export const TAG_RWLOCK: u32 = 0xC0DE0002;
export const TAG_CONDVAR: u32 = 0xC0DE0003;
export const TAG_BARRIER: u32 = 0xC0DE0004;
export const TAG_ONCE: u32 = 0xC0DE0005;
export const TAG_SEMAPHORE: u32 = 0xC0DE0006;
export const TAG_WAITGROUP: u32 = 0xC0DE0007;
export const TAG_ATOMIC: u32 = 0xC0DE0008;
export const TAG_SHARED_ARRAY: u32 = 0xC0DE0009;
export const TAG_TASK: u32 = 0xC0DE000A;
export const TAG_BYTES: u32 = 0xC0DE000B;

// Lock value slot, shared by Mutex, RwLock and OnceLock (AUX holds the kind):
//   number -> f64, bigint -> i64, boolean -> i32 0/1,
//   handle -> {ptr, gen} of another shared object, any -> {ptr, len} of codec bytes.
export const KIND_NONE: u32 = 0;
export const KIND_NUMBER: u32 = 1;
export const KIND_BIGINT: u32 = 2;
export const KIND_BOOL: u32 = 3;
export const KIND_HANDLE: u32 = 4;
export const KIND_ANY: u32 = 5;

// Result codes returned across the ABI (SUCCESS = 0). ts/errors.ts maps each to a typed error.
export const SUCCESS: i32 = 0;
export const WOULD_BLOCK: i32 = 1;
export const TIMEOUT: i32 = 2;
export const POISONED: i32 = 3;      // acquired, but the lock is poisoned
export const NOT_OWNER: i32 = 4;
export const INVALID_HANDLE: i32 = 5;
export const OUT_OF_MEMORY: i32 = 6;
export const DOUBLE_FREE: i32 = 7;
export const INVALID_POINTER: i32 = 8;
export const WOULD_DEADLOCK: i32 = 9;
export const NOT_LOCKED: i32 = 10;
export const INVALID_ARGUMENT: i32 = 11;
export const ONCE_POISONED: i32 = 12;
export const FULL: i32 = 13;         // channel: no free slot (try_send)
export const EMPTY: i32 = 14;        // channel: no message (try_recv)
export const DISCONNECTED: i32 = 15; // channel: the other side is gone (and, for recv, nothing is left)
export const RETRY: i32 = 20;        // scheduler: a steal lost a race with another thread; try again

// Task objects (TAG_TASK): one per spawned thread (and one for the main thread, ThreadId 1).
//   +16 STATE    futex word: TASK_PENDING -> TASK_RUNNING -> TASK_OK | TASK_PANIC | TASK_LOST
//   +20 PARK     park token futex word: 0 empty, 1 unparked (Rust's thread::park protocol)
//   +24 THREAD   ThreadId
//   +28 PAYLOAD  encoded [kind, fn source | module, export, args] (freed when the task starts)
//   +32 PAYLOAD_LEN
//   +36 RESULT   encoded return value or panic info; +40 RESULT_LEN; +44 RESULT_HANDLES (0/1)
//   +48 NAME     utf-8 bytes of the thread name (0 if unnamed); +52 NAME_LEN
//   +56 AGENT    agent that runs it
//   +60 NEXT     link in the pending-task queue
export const T_STATE: usize = 16;
export const T_PARK: usize = 20;
export const T_THREAD: usize = 24;
export const T_PAYLOAD: usize = 28;
export const T_PAYLOAD_LEN: usize = 32;
export const T_RESULT: usize = 36;
export const T_RESULT_LEN: usize = 40;
export const T_RESULT_HANDLES: usize = 44;
export const T_NAME: usize = 48;
export const T_NAME_LEN: usize = 52;
export const T_AGENT: usize = 56;
export const T_NEXT: usize = 60;
export const TASK_SIZE: usize = 64;
export const TASK_PENDING: i32 = 0;
export const TASK_RUNNING: i32 = 1;
export const TASK_OK: i32 = 2;
export const TASK_PANIC: i32 = 3;
export const TASK_LOST: i32 = 4;
/** Bit or'ed into STATE when the JoinHandle is dropped unjoined: the runner then frees the task. */
export const TASK_DETACHED: i32 = 0x100;
