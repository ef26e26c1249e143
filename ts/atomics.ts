// std::sync::atomic.
export {};
