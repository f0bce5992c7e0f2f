import type { DecodedEvent } from '../decode'
import type { EventLocation, FamilyEnricher } from './family'

/** An enricher that remembers nothing: each event is enriched from itself (and its transaction) alone */
export const stateless = (
  enrich: (event: DecodedEvent, log: EventLocation) => Promise<DecodedEvent>,
): FamilyEnricher => ({
  size: 0,
  observe: () => undefined,
  enrich,
})
