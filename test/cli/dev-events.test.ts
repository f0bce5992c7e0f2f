import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { runCli, spawnDev, waitForLine } from '../support/cli'

// The newcomer's other path: `npm start`, paste the printed events command, see the cron job's answers and the CRE reports published from the chain.
test(
  'bifrost dev prints an events command that shows the answers its stand-in cron job wrote on chain and decoded CRE reports',
  { timeout: 240_000 },
  async () => {
    const child = spawnDev()
    try {
      const [, brokers] = await waitForLine(
        child,
        /KAFKA_BROKERS=(\S+) node_modules\/\.bin\/node dist\/src\/cli\/main\.js events --follow/,
        180_000,
      )
      // The first cron run is 5 s after start-up; a block a second and 2 confirmations later it is in Kafka.
      let lines: string[] = []
      const deadline = Date.now() + 60_000
      const seen = (pattern: RegExp) => lines.some((l) => pattern.test(l))
      // The demo feed is about 3000 USD, times 10^8
      const answered = /confirmed\s+AnswerUpdated\s+round \d+\s+answer \d{11,12}$/
      const cached = /confirmed\s+DecimalReportUpdated\s+round \d+ +data id 0x[0-9a-f]{32} +answer \d+ at \d+/
      const reported =
        /confirmed\s+ReportProcessed .* delivered +report 0x0001 of workflow 0x[0-9a-f]{20} \(don 1\), 2 signatures/
      while (!(seen(answered) && seen(cached) && seen(reported)) && Date.now() < deadline) {
        const result = await runCli(['events'], { KAFKA_BROKERS: brokers })
        assert.equal(result.code, 0, result.stderr)
        lines = result.stdout.trim().split('\n')
        await new Promise((r) => setTimeout(r, 1000))
      }
      assert.ok(
        lines.some((l) => /confirmed\s+NewRound\s+round \d+/.test(l)),
        lines.join('\n'),
      )
      for (const pattern of [answered, cached, reported]) assert.ok(seen(pattern), `${pattern}\n${lines.join('\n')}`)
    } finally {
      child.kill('SIGINT')
      await once(child, 'exit')
    }
  },
)
