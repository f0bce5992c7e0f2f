const REPORT_EVERY_MS = 5000

export interface Progress {
  /** Called after each published range */
  advanced(tip: number, target: number, events: number): void
}

/**
 * Backfill progress as a human wants it: how far, how fast. Silent when the
 * chain is merely following its head.
 */
export const createProgress = (
  chainName: string,
  startTip: number,
  log: (line: string) => void,
  now = () => Date.now(),
): Progress => {
  let origin = { tip: startTip, at: now(), events: 0 }
  let last = origin
  let events = 0
  /** Some batch ended short of the confirmed head: catching up, not merely following */
  let behind = false
  return {
    advanced: (tip, target, published) => {
      events += published
      const at = now()
      if (tip >= target) {
        if (behind) {
          const seconds = Math.max(0.001, (at - origin.at) / 1000)
          log(
            `${chainName}: caught up at block ${tip} (${tip - origin.tip} blocks, ${
              events - origin.events
            } events in ${seconds.toFixed(1)} s); following new heads`,
          )
        }
        origin = last = { tip, at, events }
        behind = false
        return
      }
      behind = true
      if (at - last.at < REPORT_EVERY_MS) return
      const seconds = (at - last.at) / 1000
      const total = target - origin.tip
      const percent = total > 0 ? ((tip - origin.tip) / total) * 100 : 100
      log(
        `${chainName}: backfill ${percent.toFixed(1)}% (block ${tip} of ${target}), ${Math.round(
          (events - last.events) / seconds,
        )} events/s, ${Math.round((tip - last.tip) / seconds)} blocks/s`,
      )
      last = { at, tip, events }
    },
  }
}
