import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, before, describe, test } from 'node:test'
import CensorList from '@chainlink/external-adapter-framework/util/censor/censor-list'
import { prettyLoggerFactory } from '../../src/log/logger'
import { freshTopicsEnv } from '../support/bifrost'
import { spawnCli, waitForLine } from '../support/cli'
import { startKafka, type KafkaFixture } from '../support/kafka'

const capture = (colour: boolean, level: 'info' | 'warn' = 'info') => {
  const lines: string[] = []
  const factory = prettyLoggerFactory({
    colour,
    level,
    write: (line) => lines.push(line),
    now: () => new Date(2026, 0, 2, 3, 4, 5, 6),
  })
  return { lines, logger: factory.child({ layer: 'FeedIngest' }) }
}

describe('pretty log lines', () => {
  test('each is one line a person reads: time, level, part, message and the plain fields; never JSON', () => {
    const { lines, logger } = capture(false)
    logger.info('Consuming bifrost.feeds')
    logger.warn({ broker: '127.0.0.1:9092', retry: 2, nested: { a: 1 } }, 'Connection lost\nretrying')
    logger.error(new Error('boom'))
    assert.deepEqual(lines, [
      '03:04:05.006 INFO  FeedIngest       Consuming bifrost.feeds\n',
      '03:04:05.006 WARN  FeedIngest       Connection lost ⏎ retrying  broker=127.0.0.1:9092 retry=2\n',
      '03:04:05.006 ERROR FeedIngest       boom\n',
    ])
  })

  test('colour only when asked (a TTY), and levels below LOG_LEVEL are dropped', () => {
    const coloured = capture(true, 'warn')
    coloured.logger.info('not shown')
    coloured.logger.warn('shown')
    assert.equal(coloured.lines.length, 1)
    assert.match(coloured.lines[0], /\x1b\[33mWARN /)
    assert.doesNotMatch(capture(false).lines.join(''), /\x1b/)
  })

  test('secrets are censored as in the JSON lines', () => {
    const previous = CensorList.getAll()
    CensorList.set([{ key: 'KAFKA_SASL_PASSWORD', value: /hunter2/g }])
    try {
      const { lines, logger } = capture(false)
      logger.info('login with hunter2 failed')
      assert.doesNotMatch(lines[0], /hunter2/)
    } finally {
      CensorList.set(previous)
    }
  })
})

describe('log format by command', { timeout: 180_000 }, () => {
  let kafka: KafkaFixture
  before(async () => {
    kafka = await startKafka()
  })
  after(async () => {
    await kafka?.stop()
  })

  const serveLines = async (env: Record<string, string>) => {
    const child = spawnCli(['serve'], {
      EA_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...(await freshTopicsEnv(kafka)),
      ...env,
    })
    try {
      const [line] = await waitForLine(child, /^.*Status page and operator API on .*$/m, 120_000)
      return line
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }

  test('bifrost serve logs JSON lines for collectors; LOG_FORMAT=pretty makes them readable', async () => {
    const json = await serveLines({})
    assert.equal((JSON.parse(json) as { layer: string }).layer, 'OperatorApi')
    const pretty = await serveLines({ LOG_FORMAT: 'pretty' })
    assert.match(
      pretty,
      /^\d\d:\d\d:\d\d\.\d{3} INFO  OperatorApi\s+Status page and operator API on http:\/\/127\.0\.0\.1:\d+\/$/,
    )
  })
})
