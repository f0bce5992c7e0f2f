import { BifrostError } from '../errors'
import { toDecimal } from '../inbound/decimal'
import type { Json } from '../json'

/** A task of a stand-in node's job run failed, as it would fail on a node. */
export class JobRunError extends BifrostError {
  static override readonly code = 'BIFROST_DEV_JOB_RUN_FAILED'
}

/**
 * The node's `bridge` task, then `jsonparse path="data,result"`: POSTs `body`
 * and fails as the node fails the task, on HTTP >= 400, and on HTTP 200 when the
 * body's `statusCode` or `providerStatusCode` is not 200 or `error` is set.
 */
export const bridgeTask = async (url: string, body: Record<string, Json>): Promise<unknown> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (res.status >= 400) throw new JobRunError(`bridge answered ${res.status}: ${text.slice(0, 500)}`)
  let json: {
    statusCode?: number
    providerStatusCode?: number
    error?: unknown
    result?: unknown
    data?: { result?: unknown }
  }
  try {
    json = JSON.parse(text) as typeof json
  } catch {
    throw new JobRunError(`bridge answered ${res.status} with no JSON: ${text.slice(0, 200)}`)
  }
  for (const field of ['statusCode', 'providerStatusCode'] as const) {
    if (json[field] !== undefined && json[field] !== 200)
      throw new JobRunError(`bridge answered ${field} ${json[field]}`)
  }
  if (json.error !== undefined && json.error !== null)
    throw new JobRunError(`bridge answered an error: ${JSON.stringify(json.error)}`)
  // jsonparse path "data,result", falling back to the top-level result the framework also returns
  return json.data?.result ?? json.result
}

/** The node's `multiply` task feeding an integer ABI type: result × times, truncated to an integer. */
export const multiplyTask = (result: unknown, times: Json | bigint | undefined): bigint => {
  if (typeof result !== 'number' && typeof result !== 'string') {
    throw new JobRunError(`the adapter's result ${JSON.stringify(result)} is not a number`)
  }
  const { units, scale } = toDecimal(result)
  const factor = times === undefined ? 1n : BigInt(times as string | number | bigint)
  return (units * factor) / 10n ** BigInt(scale)
}
