/**
 * Checks of what a JSON-RPC endpoint answered, before any field is used: a provider that answers `"latest"` for
 * `eth_blockNumber`, a block without a hash, or a log whose number is not hex must cost that one answer (the endpoint
 * is skipped, see failover.ts), never a NaN head or a TypeError deep in the pipeline. Each check never throws: it
 * returns the value, or a code and the reason.
 */
import type { Refused } from '../parse-result'

export type AnswerProblemCode = 'not-a-quantity' | 'not-a-hash' | 'not-an-address' | 'not-hex-data' | 'bad-shape'

export type Checked<T> = { ok: true; value: T } | Refused<AnswerProblemCode>

/** Turns a raw result into what the caller works with, or says what is wrong with it. */
export type AnswerCheck<T> = (raw: unknown) => Checked<T>

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/i
const HASH = /^0x[0-9a-f]{64}$/i
const ADDRESS = /^0x[0-9a-f]{40}$/i
const DATA = /^0x([0-9a-f]{2})*$/i

const fail = <T>(code: AnswerProblemCode, reason: string): Checked<T> => ({ ok: false, code, reason })

const show = (v: unknown): string => {
  let text: string
  try {
    text = JSON.stringify(v) ?? String(v)
  } catch {
    text = typeof v
  }
  return text.length > 70 ? `${text.slice(0, 67)}...` : text
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A hex quantity that fits a safe integer (block numbers, log indexes, chain ids). */
export const checkQuantity: AnswerCheck<number> = (raw) => {
  if (typeof raw !== 'string' || !QUANTITY.test(raw)) {
    return fail('not-a-quantity', `expected a hex quantity like "0x1b4", got ${show(raw)}`)
  }
  const value = Number.parseInt(raw, 16)
  return Number.isSafeInteger(value)
    ? { ok: true, value }
    : fail('not-a-quantity', `${raw} is too large for a block number`)
}

const field = (
  object: Record<string, unknown>,
  name: string,
  pattern: RegExp,
  code: AnswerProblemCode,
  what: string,
): Checked<string> => {
  const v = object[name]
  return typeof v === 'string' && pattern.test(v)
    ? { ok: true, value: v.toLowerCase() }
    : fail(code, `"${name}" must be ${what}, got ${show(v)}`)
}

export interface CheckedHeader {
  number: number
  hash: string
  parentHash: string
  /** Unix seconds */
  timestamp: number
}

/** A block from eth_getBlockByNumber/Hash (null: the endpoint does not have it). */
export const checkHeader: AnswerCheck<CheckedHeader | null> = (raw) => {
  if (raw === null) return { ok: true, value: null }
  if (!isRecord(raw)) return fail('bad-shape', `expected a block object or null, got ${show(raw)}`)
  const number = checkQuantity(raw['number'])
  if (!number.ok) return fail(number.code, `block "number": ${number.reason}`)
  const hash = field(raw, 'hash', HASH, 'not-a-hash', 'a 32-byte hash')
  if (!hash.ok) return hash
  const parentHash = field(raw, 'parentHash', HASH, 'not-a-hash', 'a 32-byte hash')
  if (!parentHash.ok) return parentHash
  const timestamp = checkQuantity(raw['timestamp'])
  if (!timestamp.ok) return fail(timestamp.code, `block "timestamp": ${timestamp.reason}`)
  return {
    ok: true,
    value: { number: number.value, hash: hash.value, parentHash: parentHash.value, timestamp: timestamp.value },
  }
}

/** A log as eth_getLogs returns it, with its quantities still in hex (they are what the message carries). */
export interface CheckedLog {
  address: string
  topics: string[]
  data: string
  blockNumber: string
  blockHash: string
  transactionHash: string
  transactionIndex: string
  logIndex: string
  /** The block's timestamp (hex), from nodes that follow the 2024 JSON-RPC spec (anvil, geth, reth, erigon) */
  blockTimestamp?: string
  removed?: boolean
}

const checkLog = (raw: unknown): Checked<CheckedLog> => {
  if (!isRecord(raw)) return fail('bad-shape', `expected a log object, got ${show(raw)}`)
  const address = field(raw, 'address', ADDRESS, 'not-an-address', 'a 20-byte address')
  if (!address.ok) return address
  const topics = raw['topics']
  if (!Array.isArray(topics) || topics.length > 4 || !topics.every((t) => typeof t === 'string' && HASH.test(t))) {
    return fail('not-a-hash', `"topics" must be up to four 32-byte hashes, got ${show(topics)}`)
  }
  const data = field(raw, 'data', DATA, 'not-hex-data', 'hex bytes')
  if (!data.ok) return data
  for (const name of ['blockNumber', 'logIndex', 'transactionIndex']) {
    const q = checkQuantity(raw[name])
    if (!q.ok) return fail(q.code, `log "${name}": ${q.reason}`)
  }
  const blockHash = field(raw, 'blockHash', HASH, 'not-a-hash', 'a 32-byte hash')
  if (!blockHash.ok) return blockHash
  const transactionHash = field(raw, 'transactionHash', HASH, 'not-a-hash', 'a 32-byte hash')
  if (!transactionHash.ok) return transactionHash
  if (raw['blockTimestamp'] !== undefined) {
    const q = checkQuantity(raw['blockTimestamp'])
    if (!q.ok) return fail(q.code, `log "blockTimestamp": ${q.reason}`)
  }
  if (raw['removed'] !== undefined && typeof raw['removed'] !== 'boolean') {
    return fail('bad-shape', `"removed" must be a boolean, got ${show(raw['removed'])}`)
  }
  return {
    ok: true,
    value: {
      address: raw['address'] as string,
      topics: (topics as string[]).map((t) => t.toLowerCase()),
      data: raw['data'] as string,
      blockNumber: raw['blockNumber'] as string,
      blockHash: blockHash.value,
      transactionHash: transactionHash.value,
      transactionIndex: raw['transactionIndex'] as string,
      logIndex: raw['logIndex'] as string,
      ...(raw['blockTimestamp'] !== undefined ? { blockTimestamp: raw['blockTimestamp'] as string } : {}),
      ...(raw['removed'] !== undefined ? { removed: raw['removed'] as boolean } : {}),
    },
  }
}

/** An eth_getLogs answer: every log well-formed, or the whole answer is refused. */
export const checkLogs: AnswerCheck<CheckedLog[]> = (raw) => {
  if (!Array.isArray(raw)) return fail('bad-shape', `expected an array of logs, got ${show(raw)}`)
  const logs: CheckedLog[] = []
  for (let i = 0; i < raw.length; i++) {
    const log = checkLog(raw[i])
    if (!log.ok) return fail(log.code, `log ${i}: ${log.reason}`)
    logs.push(log.value)
  }
  return { ok: true, value: logs }
}

export interface CheckedTransaction {
  hash: string
  from: string
  to: string | null
  input: string
}

/** A transaction from eth_getTransactionByHash (null: the endpoint does not know it). */
export const checkTransaction: AnswerCheck<CheckedTransaction | null> = (raw) => {
  if (raw === null) return { ok: true, value: null }
  if (!isRecord(raw)) return fail('bad-shape', `expected a transaction object or null, got ${show(raw)}`)
  const hash = field(raw, 'hash', HASH, 'not-a-hash', 'a 32-byte hash')
  if (!hash.ok) return hash
  const from = field(raw, 'from', ADDRESS, 'not-an-address', 'a 20-byte address')
  if (!from.ok) return from
  let to: string | null = null
  if (raw['to'] !== null && raw['to'] !== undefined) {
    const checked = field(raw, 'to', ADDRESS, 'not-an-address', 'a 20-byte address or null')
    if (!checked.ok) return checked
    to = checked.value
  }
  // `input` in JSON-RPC; some older nodes call it `data`
  const input = field({ input: raw['input'] ?? raw['data'] ?? '0x' }, 'input', DATA, 'not-hex-data', 'hex bytes')
  if (!input.ok) return input
  return { ok: true, value: { hash: hash.value, from: from.value, to, input: input.value } }
}
