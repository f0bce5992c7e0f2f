/** How long a stop may take after SIGTERM/SIGINT before the process exits regardless (orchestrators kill at 10 s). */
export const STOP_DEADLINE_MS = 9000

export interface Shutdown {
  /** Aborted by the first SIGINT or SIGTERM: start-up gives up, a running process stops */
  signal: AbortSignal
  /** Resolves with the signal that asked for the stop */
  requested: Promise<NodeJS.Signals>
}

/**
 * Installs the SIGINT/SIGTERM handlers; call it before anything starts, so a
 * signal during a long start-up (Kafka unreachable, a chain far behind) is heard
 * rather than killing the process mid-way or, once something else listens, being
 * ignored. Every stop step is bounded, but a stop still running at
 * STOP_DEADLINE_MS ends in an exit all the same: the process always goes when told.
 */
export const onShutdown = (log: (line: string) => void = (line) => console.error(line)): Shutdown => {
  const controller = new AbortController()
  const requested = new Promise<NodeJS.Signals>((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on)
      process.off('SIGTERM', on)
      log(`${signal}: stopping`)
      setTimeout(() => {
        log(`still stopping ${STOP_DEADLINE_MS} ms after ${signal}; exiting now`)
        process.exit(process.exitCode ?? 1)
      }, STOP_DEADLINE_MS).unref()
      controller.abort(new Error(`stopped by ${signal}`))
      resolve(signal)
    }
    process.on('SIGINT', on)
    process.on('SIGTERM', on)
  })
  return { signal: controller.signal, requested }
}
