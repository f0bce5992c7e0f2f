import { failuresOf } from './connection-error'

/**
 * True when the broker refused a transactional producer because another one with the same `transactional.id` has
 * initialised since: this one is a zombie and must not send again. kafkajs 2.2.4 has no PRODUCER_FENCED (90) code:
 * with the request versions it speaks the broker reports fencing as INVALID_PRODUCER_EPOCH (47), which kafkajs wraps
 * in its retry and aggregate errors. A 90 would reach us as KAFKAJS_UNKNOWN_ERROR_CODE, "Unknown error code 90". The
 * same 47 also follows a transaction the broker aborted for outliving its timeout: either way, what this producer
 * holds is void and only a fresh recovery may publish.
 */
export const isFenced = (err: unknown): boolean =>
  failuresOf(err).some((f) => {
    const { type, code } = f as { type?: unknown; code?: unknown }
    return (
      type === 'INVALID_PRODUCER_EPOCH' ||
      type === 'PRODUCER_FENCED' ||
      code === 47 ||
      code === 90 ||
      /^Unknown error code 90$/.test(f.message ?? '')
    )
  })
