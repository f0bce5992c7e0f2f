/** Things a test suite started, stopped in reverse order by `run()` (from its `after` hook). */
export const createCleanups = () => {
  const steps: Array<() => Promise<unknown>> = []
  return {
    track: <T extends { stop(): Promise<unknown> }>(thing: T): T => {
      steps.push(() => thing.stop())
      return thing
    },
    defer: (step: () => Promise<unknown>): void => {
      steps.push(step)
    },
    run: async (): Promise<void> => {
      for (const step of steps.reverse()) await step().catch(() => undefined)
      steps.length = 0
    },
  }
}
