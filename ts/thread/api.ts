// weft.thread: the std::thread free functions.
export { current, park, parkTimeout, parkAsync, sleep, sleepAsync, yieldNow } from "./thread";
