import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls `probe` until it returns something other than undefined/false and
 * resolves with that; rejects after `timeoutMs` with `what` and the last probe.
 */
export const eventually = async <T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 15_000, intervalMs = 10 } = {},
): Promise<T> => {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(intervalMs)
  }
}
