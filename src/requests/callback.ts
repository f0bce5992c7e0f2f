import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { requestMetrics } from './metrics'
import type { Outcome } from './records'
import { redactUrl, scrubUrl } from '../redact'
import { withRetry } from '../retry'

const logger = makeLogger('RequestCallback')

/**
 * The PATCH body the node's resume route takes. The result is given twice so a
 * job's `jsonparse path="data,result"` reads it as from a synchronous answer.
 */
export const callbackBody = (outcome: Outcome): object =>
  'error' in outcome
    ? { error: outcome.error }
    : { value: { data: { result: outcome.result }, result: outcome.result } }

export type CallbackResult = 'sent' | 'rejected' | 'gave-up' | 'aborted'

export interface CallbackOptions {
  /** epoch ms after which no further attempt is started */
  until: number
  /** Aborts the attempt in flight and any wait (Bifrost stopping) */
  signal: AbortSignal
  attemptTimeoutMs?: number
  backoff?: { initialMs: number; maxMs: number }
}

// Worth another try: the node is busy or broken for now, not refusing this body
const retryable = (status: number): boolean => status >= 500 || status === 408 || status === 429

const describe = (err: unknown): string => {
  const e = err as Error & { cause?: Error }
  return e.cause?.message ? `${e.message}: ${e.cause.message}` : String(e.message ?? err)
}

/**
 * PATCHes one responseURL until the node takes it, refuses it for good (4xx,
 * e.g. 422 for a run already resumed) or `until` passes. Redirects are not
 * followed: they could lead past the allow-list. Logs name the host, never the URL.
 */
export const sendCallback = async (
  url: string,
  outcome: Outcome,
  correlationId: string,
  { until, signal, attemptTimeoutMs = 10_000, backoff = { initialMs: 250, maxMs: 10_000 } }: CallbackOptions,
): Promise<CallbackResult> => {
  const body = JSON.stringify(callbackBody(outcome))
  const where = redactUrl(url)
  let gaveUp = false
  const attempt = async (n: number): Promise<CallbackResult> => {
    // One controller per attempt: under load AbortSignal.any/timeout cost more (seen in bench/requests-roundtrip)
    const attemptAbort = new AbortController()
    const onStop = () => attemptAbort.abort()
    signal.addEventListener('abort', onStop, { once: true })
    const timer = setTimeout(
      () => attemptAbort.abort(new Error(`no answer within ${attemptTimeoutMs} ms`)),
      attemptTimeoutMs,
    )
    try {
      const response = await fetch(url, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body,
        redirect: 'manual',
        signal: attemptAbort.signal,
      })
      // Read to the end so the connection can be reused
      await response.arrayBuffer().catch(() => undefined)
      if (response.ok) {
        requestMetrics.callbacksSent.inc()
        logger.debug(`Callback for ${correlationId} delivered to ${where} (attempt ${n})`)
        return 'sent'
      }
      if (!retryable(response.status)) {
        requestMetrics.callbacksFailed.inc({ reason: 'rejected' })
        logger.warn(`Callback for ${correlationId} refused by ${where} with HTTP ${response.status}; not retried`)
        return 'rejected'
      }
      throw new Error(`HTTP ${response.status}`)
    } catch (err) {
      if (signal.aborted) return 'aborted'
      throw new Error(scrubUrl(describe(attemptAbort.signal.reason ?? err), url))
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onStop)
    }
  }
  try {
    return await withRetry(attempt, {
      ...backoff,
      signal,
      shouldRetry: (problem, { attempt: n, delayMs }) => {
        if (Date.now() + delayMs <= until) return true
        gaveUp = true
        requestMetrics.callbacksFailed.inc({ reason: 'gave-up' })
        logger.error(
          `Callback for ${correlationId} to ${where} given up after ${n} attempt(s): ${(problem as Error).message}`,
        )
        return false
      },
      onRetry: (problem, { delayMs }) => {
        requestMetrics.callbacksRetried.inc()
        logger.warn(
          `Callback for ${correlationId} to ${where} failed (${(problem as Error).message}); retrying in ${delayMs} ms`,
        )
      },
    })
  } catch {
    return gaveUp ? 'gave-up' : 'aborted'
  }
}
