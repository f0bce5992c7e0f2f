import { BifrostError } from '../../errors'
import type { EnricherOptions, TransactionLike } from './family'

/** The transaction of an event could not be fetched: the chain side failed, so the batch is read again. */
export class FulfillmentLookupError extends BifrostError {}

/** The transaction that emitted `what`, from the chain; throws (to retry) rather than publish a guess. */
export const transactionOf = async (options: EnricherOptions, hash: string, what: string): Promise<TransactionLike> => {
  let tx: TransactionLike | null
  try {
    tx = await options.getTransaction(hash)
  } catch (cause) {
    throw new FulfillmentLookupError(`cannot fetch transaction ${hash} of ${what}`, { cause })
  }
  if (!tx) throw new FulfillmentLookupError(`the node does not know transaction ${hash} of ${what}`)
  return tx
}
