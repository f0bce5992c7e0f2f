import { BifrostError } from '../../errors'
import type { EnricherOptions, TransactionLike } from './family'

/** The transaction of an event could not be fetched: the chain side failed, so the batch is read again. */
export class FulfillmentLookupError extends BifrostError {
  static override readonly code = 'BIFROST_FULFILLMENT_LOOKUP_FAILED'
}

/**
 * The transaction that emitted `what`, from the chain; throws (to retry) when the lookup fails rather than publish a
 * guess. Undefined, with the reason, when no endpoint knows it: nodes that prune their transaction index (geth keeps
 * about a year by default) answer null for older ones, and waiting would stall the chain for good, so the family
 * publishes the event without what the calldata would have added, saying why.
 */
export const transactionOf = async (
  options: EnricherOptions,
  log: { transactionHash: string; blockNumber: number },
  what: string,
): Promise<{ tx: TransactionLike } | { tx: undefined; reason: string }> => {
  const hash = log.transactionHash
  let tx: TransactionLike | null
  try {
    tx = await options.getTransaction(hash, log.blockNumber)
  } catch (cause) {
    throw new FulfillmentLookupError(`cannot fetch transaction ${hash} of ${what}`, { cause })
  }
  if (tx) return { tx }
  return {
    tx: undefined,
    reason: `the node does not know transaction ${hash} of ${what} (block ${log.blockNumber}): its transaction index does not reach back that far (pruned), so its calldata cannot be read`,
  }
}
