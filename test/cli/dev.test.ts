import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { spawnCli, waitForLine } from '../support/cli'

// The newcomer's path: `npm start`, paste the printed curl, get a value that came through Kafka.
test('bifrost dev prints a curl line that answers with a value from Kafka', { timeout: 180_000 }, async () => {
  const env: NodeJS.ProcessEnv = { EA_PORT: '0', METRICS_PORT: '0', STREAMS_PORT: '0', KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '' }
  const child = spawnCli(['dev'], env)
  try {
    const [, url, body] = await waitForLine(child, /curl -s -X POST (\S+) -H '[^']+' -d '([^']+)'/, 150_000)
    let response: { result?: unknown; statusCode?: number } = {}
    // The demo producer publishes right away; allow the consumer a moment to catch up.
    for (let i = 0; i < 50 && typeof response.result !== 'number'; i++) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      response = (await res.json()) as typeof response
      if (typeof response.result !== 'number') await new Promise((r) => setTimeout(r, 200))
    }
    assert.equal(response.statusCode, 200, JSON.stringify(response))
    assert.equal(typeof response.result, 'number')
  } finally {
    child.kill('SIGINT')
    await once(child, 'exit')
  }
})
