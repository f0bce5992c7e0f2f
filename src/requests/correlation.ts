import { createHash } from 'node:crypto'
import type { Json } from '../json'

export type JsonObject = { [key: string]: Json }

/** JSON with object keys sorted at every level, so equal values always serialise to the same text. */
export const canonicalJson = (value: Json): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * The key of a request on every topic. It depends only on what identifies the
 * question (job run, type, params), so a node retrying the same bridge call
 * lands on the same id and joins the request already in flight.
 */
export const correlationId = (jobRunId: string, type: string, params: JsonObject): string =>
  createHash('sha256')
    .update(canonicalJson([jobRunId, type, params]))
    .digest('hex')
    .slice(0, 32)
