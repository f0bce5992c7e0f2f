import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runCli } from '../support/cli'

describe('bifrost CLI', () => {
  test('lists its commands', async () => {
    const { code, stdout } = await runCli(['--help'])
    assert.equal(code, 0)
    for (const name of ['serve', 'dev', 'broker', 'config', 'jobspec', 'bridge register'])
      assert.match(stdout, new RegExp(`^  ${name} `, 'm'))
  })

  for (const name of ['serve', 'dev', 'broker', 'config', 'jobspec', 'bridge register']) {
    test(`${name} --help describes its options`, async () => {
      const { code, stdout } = await runCli([name, '--help'])
      assert.equal(code, 0)
      assert.match(stdout, new RegExp(`^Usage: bifrost ${name}`))
      assert.match(stdout, /--help/)
    })
  }

  test('an unknown command or flag is refused with usage', async () => {
    const unknown = await runCli(['frobnicate'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /Unknown command "frobnicate"/)
    const badFlag = await runCli(['serve', '--nope'])
    assert.equal(badFlag.code, 2)
    assert.match(badFlag.stderr, /--nope/)
  })

  test('a bad setting stops start-up naming its path', async () => {
    const { code, stderr } = await runCli(['serve'], { FEEDS_MAX_AGE_SECONDS: 'soon' })
    assert.equal(code, 1)
    assert.match(stderr, /feeds\.maxAgeSeconds: .*FEEDS_MAX_AGE_SECONDS/)
  })

  test('config prints the effective configuration without secrets', async () => {
    const { code, stdout } = await runCli(['config'], {
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'hunter2',
    })
    assert.equal(code, 0)
    assert.equal(JSON.parse(stdout).kafka.sasl.password, '***')
    assert.doesNotMatch(stdout, /hunter2/)
  })
})
