import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runCli } from '../support/cli'
import { checkJobSpec } from '../support/job-spec-check'

const CONTRACT = '0xc0ffee254729296a45a3885639AC7E10F9d54979'

describe('bifrost jobspec', () => {
  const cases: Array<{ type: string; args: string[]; jobType: string }> = [
    { type: 'cron', args: ['--contract', CONTRACT, '--chain-id', '11155111'], jobType: 'cron' },
    {
      type: 'ocr2',
      args: ['--contract', CONTRACT, '--chain-id', '1', '--feed', 'BTC/USD'],
      jobType: 'offchainreporting2',
    },
    { type: 'stream', args: ['--stream-id', '1001'], jobType: 'stream' },
    {
      type: 'async-request',
      args: [
        '--contract',
        CONTRACT,
        '--chain-id',
        '1',
        '--schedule',
        '@every 1h',
        '--params',
        '{"shipment": "4\\"711"}',
      ],
      jobType: 'cron',
    },
  ]
  for (const { type, args, jobType } of cases) {
    test(`--type ${type} prints a ${jobType} spec that passes the golden-file check`, async () => {
      const { code, stdout, stderr } = await runCli(['jobspec', '--type', type, ...args])
      assert.equal(code, 0, stderr)
      const check = checkJobSpec(stdout)
      assert.equal(check.type, jobType)
      assert.deepEqual(check.problems, [], stdout)
      assert.equal(check.legacy, undefined)
    })
  }

  test('fills the chain id and the contract from the configuration', async () => {
    const chains = JSON.stringify([
      {
        name: 'sepolia',
        chainId: 11155111,
        rpcUrls: ['https://rpc.example/v3/key'],
        contracts: [{ address: CONTRACT, kind: 'aggregator' }],
      },
    ])
    const { code, stdout, stderr } = await runCli(['jobspec', '--type', 'cron'], { EVENTS_CHAINS: chains })
    assert.equal(code, 0, stderr)
    assert.match(stdout, /^evmChainID = "11155111"$/m)
    assert.match(stdout, new RegExp(`type="ethtx" to="${CONTRACT}"`))
  })

  test('the async request asks the request endpoint with async="true" and no id', async () => {
    const { stdout } = await runCli(['jobspec', '--type', 'async-request', '--contract', CONTRACT, '--chain-id', '1'])
    assert.match(
      stdout,
      /type="bridge" name="bifrost" async="true" requestData="\{\\\\"data\\\\":\{\\\\"endpoint\\\\":\\\\"request\\\\"/,
    )
    assert.doesNotMatch(stdout, /\\\\"id\\\\"/)
  })

  test('what it cannot fill is named: the flag, and what would do', async () => {
    const noContract = await runCli(['jobspec', '--type', 'cron', '--chain-id', '1'])
    assert.equal(noContract.code, 1)
    assert.match(noContract.stderr, /--contract is required for --type cron/)
    const badSchedule = await runCli([
      'jobspec',
      '--type',
      'cron',
      '--chain-id',
      '1',
      '--contract',
      CONTRACT,
      '--schedule',
      '*/5 * * * *',
    ])
    assert.match(badSchedule.stderr, /--schedule must be 6 cron fields .*CRON_TZ=/)
    const badType = await runCli(['jobspec', '--type', 'directrequest'])
    assert.match(badType.stderr, /--type must be one of cron, ocr2, stream, async-request, not "directrequest"/)
    const noStream = await runCli(['jobspec', '--type', 'stream'])
    assert.match(noStream.stderr, /--stream-id is required/)
  })
})
