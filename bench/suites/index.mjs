// The suites, in the order they run. A new suite (channels, scheduler, …) is one file in this
// folder exporting a suite object (see README.md, "Writing a suite"), added to this list.
import mutexJs from "./mutex-js.mjs";
import mutexWasm from "./mutex-wasm.mjs";
import mutexContended from "./mutex-contended.mjs";
import spawnJoin from "./spawn-join.mjs";
import init from "./init.mjs";
import channelSpsc from "./channel-spsc.mjs";
import channelMpmc from "./channel-mpmc.mjs";
import channelPingpong from "./channel-pingpong.mjs";
import channelObjects from "./channel-objects.mjs";
import schedJoin from "./sched-join.mjs";
import schedTasks from "./sched-tasks.mjs";
import par from "./par.mjs";

export const suites = [mutexJs, mutexWasm, mutexContended, spawnJoin, init, channelSpsc, channelMpmc, channelPingpong, channelObjects, schedJoin, schedTasks, par];
