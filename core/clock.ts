/** Milliseconds since the epoch. Injected so that core never reads the time itself. */
export type Clock = () => number;
