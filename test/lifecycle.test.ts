import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startBifrost } from '../src/bifrost'
import { loadConfig } from '../src/config/load'
import { createStopList, stopInOrder, stopOnce, stopTogether } from '../src/lifecycle'
import { freshTopicsEnv } from './support/bifrost'
import { startKafka, type KafkaFixture } from './support/kafka'
import { useEphemeralAdapters } from './support/adapter-http'

useEphemeralAdapters()

/** A start that completes when told to, and records its stop */
const slowStart = (name: string, log: string[]) => {
  let finish!: () => void
  const started = new Promise<void>((resolve) => (finish = resolve))
  return { started, finish, stop: async () => void log.push(name) }
}

describe('the stop list every start registers into', () => {
  test('stops what was started newest first', async () => {
    const log: string[] = []
    const stops = createStopList()
    for (const name of ['kafka', 'server', 'feeds']) stops.push(async () => void log.push(name))
    await stops.stopAll()
    assert.deepEqual(log, ['feeds', 'server', 'kafka'])
  })

  test('stopping twice stops each thing once, even when the calls overlap', async () => {
    const log: string[] = []
    const stops = createStopList()
    stops.push(async () => void log.push('a'))
    stops.push(() => new Promise<void>((resolve) => setImmediate(() => resolve(void log.push('b')))))
    await Promise.all([stops.stopAll(), stops.stopAll()])
    await stops.stopAll()
    assert.deepEqual(log, ['b', 'a'])
  })

  test('stopping before anything started does nothing and does not fail', async () => {
    await createStopList().stopAll()
  })

  test('a stop asked for mid-start also undoes the part whose start completes late', async () => {
    const log: string[] = []
    const stops = createStopList()
    stops.push(async () => void log.push('server'))
    const feeds = slowStart('feeds', log)
    stops.push(async () => {
      await feeds.started
      await feeds.stop()
    })
    const stopping = stops.stopAll()
    feeds.finish()
    await stopping
    assert.deepEqual(log, ['feeds', 'server'])
  })

  test('one failing stop does not keep the others from running, and every failure is reported', async () => {
    const log: string[] = []
    const stops = createStopList()
    stops.push(async () => void log.push('client'))
    stops.push(() => Promise.reject(new Error('consumer stuck')))
    stops.push(async () => void log.push('server'))
    stops.push(() => Promise.reject(new Error('port busy')))
    const err = (await stops.stopAll().then(
      () => assert.fail('stopAll resolved'),
      (e: unknown) => e,
    )) as AggregateError
    assert.ok(err instanceof AggregateError)
    assert.deepEqual(
      err.errors.map((e: Error) => e.message),
      ['port busy', 'consumer stuck'],
    )
    assert.deepEqual(log, ['server', 'client'])
  })

  test('steps in a given order run in that order, and independent ones all run', async () => {
    const log: string[] = []
    await stopInOrder([async () => void log.push('replies'), async () => void log.push('producer')])
    assert.deepEqual(log, ['replies', 'producer'])
    const together = stopTogether([() => Promise.reject(new Error('chain a')), async () => void log.push('chain b')])
    await assert.rejects(together, (e: AggregateError) => e.errors.length === 1)
    assert.deepEqual(log, ['replies', 'producer', 'chain b'])
  })

  test('a stop made once does its work once, whoever calls it again', async () => {
    let calls = 0
    const stop = stopOnce(async () => void calls++)
    await Promise.all([stop(), stop()])
    await stop()
    assert.equal(calls, 1)
  })
})

describe('a whole Bifrost keeps the contract', () => {
  let kafka: KafkaFixture
  let env: Record<string, string>

  before(async () => {
    kafka = await startKafka()
    env = await freshTopicsEnv(kafka, { KAFKA_CLIENT_ID: kafka.uniqueTopic('bifrost') })
  })
  after(async () => {
    await kafka?.stop()
  })

  test('stop may be called twice, at once and again later', async () => {
    const bifrost = await startBifrost(loadConfig({ env }))
    await Promise.all([bifrost.stop(), bifrost.stop()])
    await bifrost.stop()
    // Its adapter port is closed: nothing of the stopped Bifrost still answers.
    await assert.rejects(fetch(bifrost.adapterUrl))
  })

  test('a start stopped before it completes rejects with the reason and leaves the next start free to run', async () => {
    const abort = new AbortController()
    const starting = startBifrost(loadConfig({ env }), { signal: abort.signal })
    abort.abort(new Error('stopped during start-up'))
    await assert.rejects(starting, /stopped during start-up/)
    const next = await startBifrost(loadConfig({ env }))
    await next.stop()
  })
})
