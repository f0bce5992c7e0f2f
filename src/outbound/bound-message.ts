import { keccak256 } from 'ethers'
import type { Json } from '../json'
import type { KafkaMessage } from './message'

/**
 * Anyone can emit a watched event with half a megabyte of data (an
 * OracleRequest through LINK transferAndCall costs a few cents more), and a
 * message the broker refuses would stop the chain at that block for good. So
 * an event is published in a bounded form: every bytes or string value longer
 * than events.maxFieldBytes, wherever it sits (args, params, request,
 * fulfillment), is replaced by its keccak256 and length, and the message says
 * `"truncated": true`; the full value stays on the chain, at the coordinates
 * the message gives, and the hash proves which it was.
 */

/**
 * Why a watched log went to events.deadLetterTopic instead of the events topic. Public contract: docs/bad-input.md
 * undecodable: its data does not decode with the configured ABI; too-large: over events.maxMessageBytes even bounded.
 */
export const EVENT_DEAD_LETTER_CODES = ['undecodable', 'too-large'] as const
export type EventDeadLetterCode = (typeof EVENT_DEAD_LETTER_CODES)[number]

export interface MessageBounds {
  /** events.maxFieldBytes */
  maxFieldBytes: number
  /** events.maxMessageBytes */
  maxMessageBytes: number
}

/** What stands in for a value too long to publish whole (docs/oracle-events.md). */
export interface TruncatedField {
  /** Of the bytes themselves, or of the string's UTF-8 */
  keccak256: string
  /** In bytes */
  length: number
}

export type BoundedMessage = { ok: true; message: KafkaMessage; truncated: boolean } | { ok: false; reason: string }

// Bytes are published as lower-case 0x hex; a string argument spelling such hex is hashed as those bytes.
const HEX_BYTES = /^0x(?:[0-9a-f]{2})*$/

const isHex = (text: string): boolean => HEX_BYTES.test(text)

/** `value` with every string over `maxFieldBytes` replaced by its TruncatedField; `truncated` says whether any was. */
export const boundJson = (value: Json, maxFieldBytes: number): { value: Json; truncated: boolean } => {
  let truncated = false
  const walk = (v: Json): Json => {
    if (typeof v === 'string') {
      // A UTF-16 unit is at most 3 UTF-8 bytes: shorter texts cannot be over
      if (v.length * 3 <= maxFieldBytes) return v
      const hex = isHex(v)
      if ((hex ? (v.length - 2) / 2 : Buffer.byteLength(v)) <= maxFieldBytes) return v
      truncated = true
      const bytes = hex ? Buffer.from(v.slice(2), 'hex') : Buffer.from(v, 'utf8')
      const field: TruncatedField = { keccak256: keccak256(bytes), length: bytes.length }
      return field as unknown as Json
    }
    if (Array.isArray(v)) return v.map(walk)
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return { value: walk(value), truncated }
}

/**
 * The message as it may be published: as is when it is small (the usual case
 * costs one length check), with its long fields replaced otherwise, or refused
 * when even that is over events.maxMessageBytes (many short fields), so the
 * caller dead-letters the log instead of sending what the broker would refuse.
 */
export const boundMessage = (message: KafkaMessage, bounds: MessageBounds): BoundedMessage => {
  if (message.value.length <= bounds.maxFieldBytes) return { ok: true, message, truncated: false }
  const bounded = boundJson(JSON.parse(message.value.toString('utf8')) as Json, bounds.maxFieldBytes)
  let value = message.value
  if (bounded.truncated) {
    value = Buffer.from(JSON.stringify({ ...(bounded.value as Record<string, Json>), truncated: true }))
  }
  if (value.length > bounds.maxMessageBytes) {
    return {
      ok: false,
      reason: `the event is ${value.length} bytes even with every field over events.maxFieldBytes=${bounds.maxFieldBytes} replaced by its hash, more than events.maxMessageBytes=${bounds.maxMessageBytes} (EVENTS_MAX_MESSAGE_BYTES)`,
    }
  }
  return { ok: true, message: { ...message, value }, truncated: bounded.truncated }
}
