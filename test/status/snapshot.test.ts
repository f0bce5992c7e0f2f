import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadConfig } from '../../src/config/load'
import { createStatusBoard } from '../../src/status/snapshot'

const config = loadConfig({
  env: { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'hunter2' },
})

describe('status board', () => {
  test('a snapshot carries the settings with secrets redacted, and no part section until a part provides it', () => {
    const snapshot = createStatusBoard(config).snapshot()
    assert.deepEqual(Object.keys(snapshot).sort(), ['settings', 'takenAt'])
    assert.doesNotMatch(JSON.stringify(snapshot), /hunter2/)
    assert.equal((snapshot.settings['kafka'] as { sasl: { username: string } }).sasl.username, 'svc')
  })

  test('each provided section is collected afresh on every snapshot', () => {
    const board = createStatusBoard(config)
    let open = 1
    board.provide('requests', () => ({ enabled: true, open, delivering: 0 }))
    assert.equal(board.snapshot().requests?.open, 1)
    open = 5
    assert.equal(board.snapshot().requests?.open, 5)
  })

  test('a part that stops withdraws its section, but not a newer provider of the same section', () => {
    const board = createStatusBoard(config)
    const withdraw = board.provide('streaming', () => ({ clients: [] }))
    assert.deepEqual(board.snapshot().streaming, { clients: [] })
    withdraw()
    assert.equal(board.snapshot().streaming, undefined)
    const first = board.provide('chains', () => [])
    board.provide('chains', () => [{ name: 'c', chainId: 1, role: 'standby' }])
    first()
    assert.equal(board.snapshot().chains?.[0].role, 'standby')
  })

  test('a provider that throws reports its error in its own section and the others still answer', () => {
    const board = createStatusBoard(config)
    board.provide('feeds', () => {
      throw new Error('store gone')
    })
    board.provide('chains', () => [])
    const snapshot = board.snapshot() as unknown as Record<string, unknown>
    assert.deepEqual(snapshot['feeds'], { error: 'store gone' })
    assert.deepEqual(snapshot['chains'], [])
  })
})
