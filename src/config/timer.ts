/**
 * The longest delay Node's timers honour: a larger one is replaced by 1 ms (with a TimeoutOverflowWarning), so a
 * setting fed to setTimeout above it would turn "wait long" into "never wait". Every such setting is bounded by it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1
