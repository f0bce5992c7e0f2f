import type { DecodedEvent } from './decode'
import {
  FAMILIES,
  type ContractFamily,
  type EnricherOptions,
  type EventLocation,
  type FamilyEnricher,
} from './families'

/** An event with what its family adds beyond the log (fulfilment calldata, remembered request fields, ...). */
export type EnrichedEvent = DecodedEvent

export interface EventEnricher {
  /**
   * Call with every confirmed event, in chain order. Returns the event with its
   * family's enrichment added; events of families without any come back unchanged.
   */
  enrich(event: DecodedEvent, log: EventLocation): Promise<EnrichedEvent>
  /** An event already in Kafka (read again after a restart): its family learns from it, nothing is fetched */
  observe(event: DecodedEvent, log: EventLocation): void
  /** How many events the families remember (each bounded by maxRequests) */
  readonly size: number
}

/** One chain's enrichment: each family's enricher, created once. */
export const createEventEnricher = (options: EnricherOptions): EventEnricher => {
  const enrichers = new Map<string, FamilyEnricher>()
  for (const family of FAMILIES as readonly ContractFamily[]) {
    if (family.createEnricher) enrichers.set(family.kind, family.createEnricher(options))
  }
  return {
    get size() {
      let size = 0
      for (const enricher of enrichers.values()) size += enricher.size
      return size
    },
    enrich: async (event, log) => (await enrichers.get(event.kind)?.enrich(event, log)) ?? event,
    observe: (event, log) => enrichers.get(event.kind)?.observe(event, log),
  }
}
