/**
 * Settles like `work`, or rejects with the signal's reason as soon as `signal`
 * aborts. For waits that take no signal of their own (a kafkajs send, a consumer
 * join): stopping must not wait for them, and what they still hold is released
 * by their owner's stop(), which disconnects the client underneath.
 */
export const untilAborted = <T>(work: Promise<T>, signal: AbortSignal): Promise<T> => {
  if (signal.aborted) {
    work.catch(() => undefined)
    return Promise.reject(signal.reason as Error)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err as Error)
      },
    )
  })
}

/**
 * untilAborted for a start that returns a handle: when the signal wins, the
 * handle the start still delivers is stopped, so an abandoned start leaks nothing.
 */
export const startUntilAborted = <T extends { stop(): Promise<void> }>(
  start: Promise<T>,
  signal: AbortSignal,
): Promise<T> =>
  untilAborted(start, signal).catch((err: unknown) => {
    if (signal.aborted) void start.then((handle) => handle.stop()).catch(() => undefined)
    throw err
  })
