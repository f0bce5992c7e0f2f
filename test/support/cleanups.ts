import { createStopList } from '../../src/lifecycle'

/** Things a test suite started, stopped in reverse order by `run()` (from its `after` hook). */
export const createCleanups = () => {
  const stops = createStopList()
  return {
    track: <T extends { stop(): Promise<unknown> }>(thing: T): T => {
      stops.push(() => thing.stop())
      return thing
    },
    defer: (step: () => Promise<unknown>): void => stops.push(step),
    // A test that killed a broker or a chain on purpose leaves stops that fail: the suite is over, and each still ran.
    run: (): Promise<void> => stops.stopAll().catch(() => undefined),
  }
}
