import { setTimeout as sleep } from 'node:timers/promises'
import { BifrostError } from './errors'

export interface BackoffOptions {
  /** The first wait */
  initialMs: number
  /** No wait is longer: each doubles until it reaches this */
  maxMs: number
}

/** Doubling waits, capped; the state of one retrying thing (an endpoint, a chain's restarts). */
export interface Backoff {
  /** The wait to do now; the next one doubles (up to maxMs) */
  next(): number
  /** What next() returns, without moving on */
  peek(): number
  /** It worked: the next failure waits initialMs again */
  reset(): void
  /** Whether a failure happened since the last reset */
  readonly backingOff: boolean
}

export const createBackoff = ({ initialMs, maxMs }: BackoffOptions): Backoff => {
  let delay = initialMs
  return {
    next: () => {
      const now = delay
      delay = Math.min(delay * 2, maxMs)
      return now
    },
    peek: () => delay,
    reset: () => void (delay = initialMs),
    get backingOff() {
      return delay !== initialMs
    },
  }
}

export interface RetryOptions extends BackoffOptions {
  /** Ends the waits (and the retrying): withRetry rejects with the signal's reason */
  signal: AbortSignal
  /**
   * Whether this failure is worth another attempt, told the attempt that failed (1 for the first) and the wait before
   * the next (to give up at a deadline). Default: what a BifrostError says (`retryable`), else yes
   */
  shouldRetry?: (err: unknown, retry: { attempt: number; delayMs: number }) => boolean
  /** Before each wait, with the failure, the attempt that failed (1 for the first) and the wait: log and count here */
  onRetry?: (err: unknown, retry: { attempt: number; delayMs: number }) => void | Promise<void>
}

/**
 * Calls `attempt` until it succeeds, shouldRetry says no (its error is thrown) or the signal aborts, waiting with
 * doubling backoff between attempts. The one backoff loop of Bifrost: callers differ only in what they retry, what
 * they count and what they log.
 */
export const withRetry = async <T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> => {
  const { signal, shouldRetry = retryableByDefault, onRetry } = options
  const backoff = createBackoff(options)
  for (let n = 1; ; n++) {
    signal.throwIfAborted()
    try {
      return await attempt(n)
    } catch (err) {
      const retry = { attempt: n, delayMs: backoff.peek() }
      if (!shouldRetry(err, retry)) throw err
      backoff.next()
      await onRetry?.(err, retry)
      await sleep(retry.delayMs, undefined, { signal }).catch(() => signal.throwIfAborted())
    }
  }
}

const retryableByDefault = (err: unknown): boolean => !(err instanceof BifrostError) || err.retryable
