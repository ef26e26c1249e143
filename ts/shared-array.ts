// SharedArray.
export {};
