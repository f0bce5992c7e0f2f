import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { spawnDev, waitForLine } from '../support/cli'

// The newcomer's path: `npm start`, paste the printed curl, get a value that came through Kafka.
test('bifrost dev prints a curl line that answers with a value from Kafka', { timeout: 180_000 }, async () => {
  const child = spawnDev()
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

test(
  'bifrost dev prints the status page URL first, then one readable line per log entry, no JSON, no kafkajs partitioner warning',
  { timeout: 180_000 },
  async () => {
    const child = spawnDev({ LOG_LEVEL: 'info' })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    try {
      const [, url] = await waitForLine(child, /^Status page: (\S+)/m, 150_000)
      assert.match(stdout.split('\n')[0], /^Bifrost dev stack starting\. Status page: http:\/\//)
      const page = await fetch(url)
      assert.equal(page.status, 200)
      assert.match(await page.text(), /<title>Bifrost status<\/title>/)
      // Any log line after the banner: the demo's parts go on logging while it runs.
      await waitForLine(child, /^\d\d:\d\d:\d\d\.\d{3} INFO /m, 60_000)
    } finally {
      child.kill('SIGINT')
      await once(child, 'exit')
    }
    const logLines = stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l))
    assert.ok(logLines.length > 3, stdout)
    assert.deepEqual(
      stdout.split('\n').filter((l) => l.trimStart().startsWith('{')),
      [],
    )
    assert.doesNotMatch(stdout + stderr, /partitioner/i)
  },
)
