import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { Partitioners } from 'kafkajs'
import { createKafka } from '../../src/kafka/client'
import { kafkaSettings } from '../../src/kafka/settings'
import { startKafka } from '../support/kafka'
import { useDefaultLogger } from '../support/logger'

interface RequestQueueClass {
  prototype: { checkPendingRequests(): void }
}

test('an idle connection stops re-checking its request queue, and requests still flow', async () => {
  useDefaultLogger()
  const fixture = await startKafka()
  const kafka = createKafka(kafkaSettings.parse({ brokers: fixture.brokers }))
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  const { prototype } = require('kafkajs/src/network/requestQueue') as RequestQueueClass
  const check = prototype.checkPendingRequests
  let checks = 0
  try {
    const topic = fixture.uniqueTopic('idle')
    await fixture.createTopics([{ topic }])
    await producer.connect()
    await producer.send({ topic, messages: [{ value: 'before' }] })
    prototype.checkPendingRequests = function () {
      checks++
      return check.call(this)
    }
    await sleep(300)
    // Unpatched kafkajs re-checks every connection about once a millisecond, idle or not.
    assert.ok(checks < 10, `${checks} checks of an idle queue in 300 ms`)
    await producer.send({ topic, messages: [{ value: 'after' }] })
  } finally {
    prototype.checkPendingRequests = check
    await producer.disconnect()
    await fixture.stop()
  }
})
