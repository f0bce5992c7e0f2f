import { counter, gauge } from '../metrics/registry'

/** The streaming bridge's Prometheus metrics, on the registry the framework serves at /metrics. */
export const streamMetrics = () => ({
  connected: gauge({
    name: 'bifrost_streams_connected',
    help: 'Open Subscribe streams (a node opens one per bridge)',
  }),
  assets: gauge({
    name: 'bifrost_streams_assets_subscribed',
    help: 'Assets in the current subscription sets of all open streams',
  }),
  sent: counter({
    name: 'bifrost_streams_observations_sent_total',
    help: 'Observations written to a stream: on subscribe, on a Kafka update that changed the answer, and on refresh',
  }),
  refreshes: counter({
    name: 'bifrost_streams_refreshes_total',
    help: "Unchanged, still fresh answers resent so the node's cache entry does not expire (part of observations sent)",
  }),
})

export type StreamMetrics = ReturnType<typeof streamMetrics>
