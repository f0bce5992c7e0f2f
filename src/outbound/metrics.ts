import { deadLettersDroppedCounter } from '../metrics/dead-letters'
import { counter, gauge } from '../metrics/registry'

/** Chain -> Kafka metrics, on the registry the framework serves at /metrics. */
export const eventMetrics = () => ({
  published: counter({
    name: 'bifrost_events_published_total',
    help: 'Event messages acknowledged by Kafka, by status (confirmed or retracted)',
    labelNames: ['chain', 'status'] as const,
  }),
  deadLettered: counter({
    name: 'bifrost_events_dead_lettered_total',
    help: 'Watched logs not published (undecodable, or too large even bounded), sent to the dead-letter topic',
    labelNames: ['chain'] as const,
  }),
  deadLettersDropped: deadLettersDroppedCounter('events', ['chain']),
  truncated: counter({
    name: 'bifrost_events_truncated_total',
    help: 'Event messages published with a bytes or string field over events.maxFieldBytes replaced by its keccak256 and length',
    labelNames: ['chain'] as const,
  }),
  logsDropped: counter({
    name: 'bifrost_events_logs_dropped_total',
    formerly: 'bifrost_chain_logs_dropped_total',
    help: 'Logs an eth_getLogs answer held that were not asked for (duplicate, out-of-range, wrong-block, removed), dropped',
    labelNames: ['chain', 'reason'] as const,
  }),
  readBackSkipped: counter({
    name: 'bifrost_events_read_back_skipped_total',
    help: 'Records of the events topic carrying the chain header that are not event messages (not JSON, no blockHash...), skipped on recovery',
    labelNames: ['chain', 'reason'] as const,
  }),
  reorgs: counter({
    name: 'bifrost_events_reorgs_total',
    formerly: 'bifrost_chain_reorgs_total',
    help: 'Reorgs seen by the block tracker, by whether they reached published events',
    labelNames: ['chain', 'published'] as const,
  }),
  head: gauge({
    name: 'bifrost_events_head_block',
    formerly: 'bifrost_chain_head_block',
    help: 'Latest block seen on the chain',
    labelNames: ['chain'] as const,
  }),
  publishedBlock: gauge({
    name: 'bifrost_events_published_block',
    formerly: 'bifrost_chain_published_block',
    help: 'Every event up to this block is published',
    labelNames: ['chain'] as const,
  }),
  halted: gauge({
    name: 'bifrost_events_halted',
    formerly: 'bifrost_chain_halted',
    help: '1 while the chain is halted (a reorg deeper than maxReorgDepth) until `bifrost events resume`, else 0',
    labelNames: ['chain'] as const,
  }),
  rpcEndpointsUp: gauge({
    name: 'bifrost_events_rpc_endpoints_up',
    formerly: 'bifrost_chain_rpc_endpoints_up',
    help: 'RPC endpoints of the chain that answer and serve it, as last seen by the publishing instance',
    labelNames: ['chain'] as const,
  }),
  leader: gauge({
    name: 'bifrost_events_leader',
    help: '1 when this instance publishes the chain, 0 when it is a standby',
    labelNames: ['chain'] as const,
  }),
})
