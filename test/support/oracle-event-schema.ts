import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv from 'ajv'
import { repoRoot } from '../../src/dev/paths'

const schema = JSON.parse(readFileSync(join(repoRoot(), 'schemas/oracle-event.schema.json'), 'utf8')) as object

/** schemas/oracle-event.schema.json, compiled: true when a message value follows the published contract */
export const validateOracleEvent = new Ajv({ allErrors: true }).compile(schema)

export const assertValidOracleEvent = (value: unknown): void =>
  assert.ok(validateOracleEvent(value), `${JSON.stringify(value)}\n${JSON.stringify(validateOracleEvent.errors, null, 2)}`)
