import { failuresOf } from './connection-error'

/**
 * True when the broker refused a transactional producer because another one with the same `transactional.id` has
 * initialised since: this one is a zombie and must not send again. kafkajs has no PRODUCER_FENCED (90) code and
 * reports fencing as INVALID_PRODUCER_EPOCH (47), wrapped in its retry and aggregate errors; 90 is checked too, for
 * when it learns it. The same code also follows a transaction the broker aborted for outliving its timeout: either
 * way, what this producer holds is void and only a fresh recovery may publish.
 */
export const isFenced = (err: unknown): boolean =>
  failuresOf(err).some((f) => {
    const { type, code } = f as { type?: unknown; code?: unknown }
    return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || code === 47 || code === 90
  })
