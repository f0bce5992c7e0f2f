export interface DemoRequests {
  stop(): Promise<void>
}

/**
 * Asks the demo enterprise system about a shipment every few seconds through
 * the adapter, as a node's job would, so the status page has requests to show.
 */
export const startDemoRequests = (adapterUrl: string, intervalMs = 4000): DemoRequests => {
  let n = 0
  let inFlight: Promise<unknown> = Promise.resolve()
  const ask = () => {
    n++
    const body = {
      id: `demo-${n}`,
      data: { endpoint: 'request', type: 'shipment-status', params: { shipment: String(4700 + (n % 50)) } },
    }
    inFlight = fetch(adapterUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
      .then((res) => res.arrayBuffer())
      .catch(() => undefined)
  }
  const timer = setInterval(ask, intervalMs)
  return {
    stop: async () => {
      clearInterval(timer)
      await inFlight
    },
  }
}
