import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { runCli, spawnCli, waitForLine } from '../support/cli'

// The newcomer's other path: `npm start`, paste the printed events command, see the cron job's answers published from the chain.
test('bifrost dev prints an events command that shows the answers its stand-in cron job wrote on chain', { timeout: 240_000 }, async () => {
  const env: NodeJS.ProcessEnv = { EA_PORT: '0', METRICS_PORT: '0', STREAMS_PORT: '0', KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '' }
  const child = spawnCli(['dev'], env)
  try {
    const [, brokers] = await waitForLine(child, /KAFKA_BROKERS=(\S+) node_modules\/\.bin\/node dist\/src\/cli\/main\.js events --follow/, 180_000)
    // The first cron run is 5 s after start-up; a block a second and 2 confirmations later it is in Kafka.
    let lines: string[] = []
    const deadline = Date.now() + 60_000
    while (!lines.some((l) => /confirmed\s+AnswerUpdated .* answer \d+/.test(l)) && Date.now() < deadline) {
      const result = await runCli(['events'], { KAFKA_BROKERS: brokers })
      assert.equal(result.code, 0, result.stderr)
      lines = result.stdout.trim().split('\n')
      await new Promise((r) => setTimeout(r, 1000))
    }
    assert.ok(lines.some((l) => /confirmed\s+NewRound\s+round \d+/.test(l)), lines.join('\n'))
    // The demo feed is about 3000 USD, times 10^8
    assert.ok(lines.some((l) => /confirmed\s+AnswerUpdated\s+round \d+\s+answer \d{11,12}$/.test(l)), lines.join('\n'))
  } finally {
    child.kill('SIGINT')
    await once(child, 'exit')
  }
})
