/**
 * The names this module had before the contract families got their own folder,
 * kept so code written against them still builds.
 * @deprecated import from ./enrich and ./families/operator-fulfillment
 */
export {
  createEventEnricher as createFulfillmentEnricher,
  type EnrichedEvent,
  type EventEnricher as FulfillmentEnricher,
} from './enrich'
export type { RequestFields } from './families/operator'
export { decodeFulfillment, type Fulfillment } from './families/operator-fulfillment'
export { FulfillmentLookupError } from './families/transaction'
export type { EnricherOptions as FulfillmentEnricherOptions, TransactionLike } from './families'
