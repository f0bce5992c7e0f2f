import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { Partitioners } from 'kafkajs'
import { partitionOf } from '../../src/kafka/partition'

test('partitions keys exactly as kafkajs (and the Java client) do', () => {
  const kafkajs = Partitioners.DefaultPartitioner()
  for (const partitions of [1, 3, 7, 64]) {
    const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [],
      isr: [],
    }))
    // Every key length modulo 4, ASCII and arbitrary UTF-8, and the shapes of real event keys.
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'héllo wörld ✓', '31337:0x5FbDB2315678afecb367f032d93F642f64180aa3:17']
    for (let i = 0; i < 500; i++) keys.push(randomBytes(i % 70).toString(i % 2 ? 'hex' : 'latin1'))
    for (const key of keys) {
      assert.equal(
        partitionOf(key, partitions),
        kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }),
        key,
      )
    }
  }
})
