import { register } from 'prom-client'

/** The framework counts every HTTP request to the adapter here (bridge requests from nodes, by status). */
const METRIC = 'http_requests_total'
/** A rate over less time than this would jump with every poll of the page */
const MIN_WINDOW_MS = 5000

const total = async (): Promise<number | undefined> => {
  const metric = register.getSingleMetric(METRIC)
  if (!metric) return undefined
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0)
}

/**
 * HTTP bridge requests per second, from the framework's own counter: measured
 * between two reads at least MIN_WINDOW_MS apart, so it costs nothing between
 * reads. undefined until two reads are that far apart, or without metrics.
 */
export const createBridgeRate = () => {
  let previous: { at: number; count: number } | undefined
  let rate: number | undefined
  return async (now = Date.now()): Promise<number | undefined> => {
    const count = await total()
    if (count === undefined) return undefined
    if (!previous) previous = { at: now, count }
    else if (now - previous.at >= MIN_WINDOW_MS) {
      rate = (count - previous.count) / ((now - previous.at) / 1000)
      previous = { at: now, count }
    }
    return rate
  }
}
