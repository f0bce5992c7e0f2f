/**
 * The one start/stop contract: whatever a start brings up registers its stop step here before the start goes on,
 * and stopAll() undoes it in reverse. Every step runs even when an earlier one fails (a stuck consumer must not keep
 * the HTTP port bound); the failures are reported together. Steps run one at a time, newest first, not in parallel:
 * a part stops before the client it publishes into.
 */
export interface StopList {
  /** Registers how to undo what was just started; register before awaiting the start, so a cut-short one is undone */
  push(step: () => Promise<unknown>): void
  /**
   * Runs every registered step once, newest first, each settled on its own; rejects with an AggregateError of every
   * failure. Safe to call twice or while another call runs (it waits for that one), and before anything started.
   * A step registered while stopping (a start that completed late) runs in the same call.
   */
  stopAll(): Promise<void>
}

export const createStopList = (): StopList => {
  const steps: Array<() => Promise<unknown>> = []
  let previous: Promise<unknown> = Promise.resolve()
  const drain = async (): Promise<void> => {
    const failures: unknown[] = []
    for (let step = steps.pop(); step; step = steps.pop()) {
      const [outcome] = await Promise.allSettled([step()])
      if (outcome.status === 'rejected') failures.push(outcome.reason)
    }
    if (failures.length > 0) throw stopFailed(failures)
  }
  return {
    push: (step) => void steps.push(step),
    stopAll: () => {
      const run = previous.then(drain)
      previous = run.catch(() => undefined)
      return run
    },
  }
}

/** Runs the steps in the given order (list them newest first), every one even when some fail; see StopList. */
export const stopInOrder = async (steps: Array<() => Promise<unknown>>): Promise<void> => {
  const list = createStopList()
  for (const step of [...steps].reverse()) list.push(step)
  await list.stopAll()
}

/** Runs independent stop steps at once; rejects with an AggregateError of every failure once all have settled. */
export const stopTogether = async (steps: Array<() => Promise<unknown>>): Promise<void> => {
  const outcomes = await Promise.allSettled(steps.map((step) => step()))
  const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []))
  if (failures.length > 0) throw stopFailed(failures)
}

const stopFailed = (failures: unknown[]): AggregateError =>
  new AggregateError(
    failures,
    `${failures.length} stop step(s) failed: ${failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; ')}`,
  )

/** A stop() that does its work once: a second call (or one during the first) gets the first call's outcome. */
export const stopOnce = (stop: () => Promise<void>): (() => Promise<void>) => {
  let stopping: Promise<void> | undefined
  return () => (stopping ??= stop())
}
