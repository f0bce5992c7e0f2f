import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv from 'ajv'
import { repoRoot } from '../../src/dev/paths'
import type { EnrichedEvent } from '../../src/outbound/enrich'
import { toKafkaMessage, type OracleEventMessage } from '../../src/outbound/message'

const schema = JSON.parse(readFileSync(join(repoRoot(), 'schemas/oracle-event.schema.json'), 'utf8')) as object

/** schemas/oracle-event.schema.json, compiled: true when a message value follows the published contract */
export const validateOracleEvent = new Ajv({ allErrors: true }).compile(schema)

export const assertValidOracleEvent = (value: unknown): void =>
  assert.ok(
    validateOracleEvent(value),
    `${JSON.stringify(value)}\n${JSON.stringify(validateOracleEvent.errors, null, 2)}`,
  )

/** Where a message built outside a chain (decoding tests) says it sits: placeholder coordinates */
export const PLACEHOLDER_META = {
  status: 'confirmed',
  confirmations: 1,
  blockNumber: 1,
  blockHash: `0x${'00'.repeat(32)}`,
  blockTimestamp: 1,
  transactionHash: `0x${'00'.repeat(32)}`,
  logIndex: 0,
} as const

/** The message value an event becomes (at placeholder coordinates), checked against the schema */
export const validMessageValue = (
  event: EnrichedEvent,
  chainId: number,
  transactionHash: string = PLACEHOLDER_META.transactionHash,
): OracleEventMessage => {
  const message = toKafkaMessage(event, { ...PLACEHOLDER_META, chainId, transactionHash })
  const value = JSON.parse(message.value.toString()) as OracleEventMessage
  assertValidOracleEvent(value)
  return value
}
