import type { Message } from 'kafkajs'
import { jsonDepth, type Json } from '../json'
import type { Refused } from '../parse-result'
import type { JsonObject } from './correlation'

/** What an enterprise system reads on requests.topic (schemas/request-record.schema.json). */
export interface RequestRecord {
  correlationId: string
  type: string
  params: JsonObject
  /** The bridge body's `id`; null when the job sends none */
  jobRunId: string | null
  meta: Json
  /** Where the reply goes: requests.replyTopic */
  replyTopic: string
  /** ISO 8601; a reply after it is ignored */
  deadline: string
}

/** An enterprise system's answer: exactly one of result or error (schemas/reply-record.schema.json). */
export type Outcome = { result: Json } | { error: string }

export const requestMessage = (record: RequestRecord): Message => ({
  key: record.correlationId,
  value: JSON.stringify(record),
  headers: { type: record.type, correlationId: record.correlationId },
})

/** Why a reply went to the dead-letter topic. Public contract: docs/bad-input.md */
export const MALFORMED_REPLY_CODES = [
  'missing-key',
  'missing-value',
  'too-large',
  'too-deep',
  'not-json',
  'not-an-object',
  'result-xor-error',
  'bad-error',
] as const
export type MalformedReplyCode = (typeof MALFORMED_REPLY_CODES)[number]

/** What a reply may take; settings requests.maxReplyBytes and requests.maxDepth */
export interface ReplyLimits {
  maxReplyBytes: number
  maxDepth: number
}

export type ParsedReply = { ok: true; correlationId: string; outcome: Outcome } | Refused<MalformedReplyCode>

/**
 * Judges one record from requests.replyTopic; anything but a well-formed reply
 * comes back with the reason. Never throws: size and nesting are judged on the
 * bytes, so a reply that would break serialising its outcome never gets that far.
 */
export const parseReply = (key: Buffer | null, value: Buffer | null, limits: ReplyLimits): ParsedReply => {
  const correlationId = key?.toString('utf8') ?? ''
  if (correlationId === '') return { ok: false, code: 'missing-key', reason: 'the key must be the correlation id' }
  if (value === null) return { ok: false, code: 'missing-value', reason: 'the value is empty' }
  if (value.length > limits.maxReplyBytes) {
    return {
      ok: false,
      code: 'too-large',
      reason: `the value is ${value.length} bytes, more than requests.maxReplyBytes=${limits.maxReplyBytes} (REQUESTS_MAX_REPLY_BYTES)`,
    }
  }
  const depth = jsonDepth(value)
  if (depth > limits.maxDepth) {
    return {
      ok: false,
      code: 'too-deep',
      reason: `the value nests ${depth} levels deep, more than requests.maxDepth=${limits.maxDepth} (REQUESTS_MAX_DEPTH)`,
    }
  }
  let body: unknown
  try {
    body = JSON.parse(value.toString('utf8'))
  } catch (err) {
    return { ok: false, code: 'not-json', reason: `the value is not JSON: ${(err as Error).message}` }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, code: 'not-an-object', reason: 'the value must be a JSON object with "result" or "error"' }
  }
  const hasResult = 'result' in body
  const hasError = 'error' in body
  if (hasResult === hasError) {
    return { ok: false, code: 'result-xor-error', reason: 'the value must have exactly one of "result" and "error"' }
  }
  if (hasResult) return { ok: true, correlationId, outcome: { result: (body as { result: Json }).result } }
  const error = (body as { error: unknown }).error
  if (typeof error !== 'string' || error === '') {
    return { ok: false, code: 'bad-error', reason: '"error" must be a non-empty string' }
  }
  return { ok: true, correlationId, outcome: { error } }
}

/**
 * A line of requests.pendingTopic: everything needed to finish an asynchronous
 * request after a restart. The responseURLs make this topic secret.
 */
export interface PendingRecord {
  correlationId: string
  type: string
  jobRunId: string | null
  /** epoch ms */
  createdAt: number
  /** epoch ms */
  deadline: number
  timeoutSeconds: number
  callbacks: string[]
  /** Present once a reply was taken from requests.replyTopic and its offset may be committed */
  outcome?: Outcome
}

export const pendingMessage = (record: PendingRecord): Message => ({
  key: record.correlationId,
  value: JSON.stringify({ v: 1, ...record }),
})

/** Written once every callback of a request is done; compaction then forgets the request. */
export const pendingTombstone = (correlationId: string): Message => ({ key: correlationId, value: null })

export const parsePendingRecord = (value: Buffer): PendingRecord | undefined => {
  try {
    const r = JSON.parse(value.toString('utf8')) as PendingRecord & { v?: number }
    const valid =
      r.v === 1 &&
      typeof r.correlationId === 'string' &&
      typeof r.type === 'string' &&
      typeof r.deadline === 'number' &&
      Array.isArray(r.callbacks)
    if (!valid) return undefined
    const { v: _version, ...record } = r
    return record
  } catch {
    return undefined
  }
}
