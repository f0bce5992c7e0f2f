import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { runCli, type CliResult } from '../support/cli'
import { startNodeOperatorApi, type NodeOperatorApi } from '../support/node-operator-api'

describe('bifrost bridge register, against a stand-in of the node operator API', () => {
  let api: NodeOperatorApi
  let passwordFile: string

  before(async () => {
    api = await startNodeOperatorApi()
    passwordFile = join(mkdtempSync(join(tmpdir(), 'bifrost-bridge-')), 'password')
    writeFileSync(passwordFile, `${api.password}\n`)
  })
  after(() => api?.stop())

  const register = (...args: string[]) =>
    runCli(['bridge', 'register', '--node', api.url, '--email', api.email, '--password-file', passwordFile, ...args])

  /** Nothing secret in what the command printed */
  const assertNoSecrets = (result: CliResult) => {
    const printed = result.stdout + result.stderr
    for (const secret of [api.password, api.tokens.incoming, api.tokens.outgoing])
      assert.ok(!printed.includes(secret), printed)
  }

  const callsSince = (n: number) => api.calls.slice(n).map((c) => `${c.method} ${c.path}`)

  test('logs in, then creates the bridge with the fields the node expects', async () => {
    const from = api.calls.length
    const result = await register('--name', 'bifrost', '--url', 'http://bifrost:8080')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /Created: bridge bifrost -> http:\/\/bifrost:8080 \(useConnectionManager false\)/)
    assert.deepEqual(callsSince(from), ['POST /sessions', 'GET /v2/bridge_types/bifrost', 'POST /v2/bridge_types'])
    const [login, read, create] = api.calls.slice(from)
    assert.deepEqual(login.body, { email: api.email, password: api.password }, 'the password file without its newline')
    assert.match(read.cookie ?? '', /^clsession=[0-9a-f]{32}$/)
    assert.equal(create.cookie, read.cookie)
    assert.deepEqual(create.body, {
      name: 'bifrost',
      url: 'http://bifrost:8080',
      confirmations: 0,
      minimumContractPayment: '0',
      useConnectionManager: false,
    })
    assertNoSecrets(result)
  })

  test('the same registration again leaves the bridge alone', async () => {
    const from = api.calls.length
    const result = await register('--name', 'bifrost', '--url', 'http://bifrost:8080/')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /Already registered: bridge bifrost/)
    assert.deepEqual(callsSince(from), ['POST /sessions', 'GET /v2/bridge_types/bifrost'])
  })

  test('another URL is reported and left alone; --update changes it', async () => {
    const from = api.calls.length
    const differs = await register('--name', 'bifrost', '--url', 'http://bifrost-2:8080')
    assert.equal(differs.code, 1)
    assert.match(differs.stderr, /points at http:\/\/bifrost:8080 .*not http:\/\/bifrost-2:8080 .*--update/)
    assert.equal(api.bridges.get('bifrost')?.url, 'http://bifrost:8080')
    const updated = await register('--name', 'bifrost', '--url', 'http://bifrost-2:8080', '--update')
    assert.equal(updated.code, 0, updated.stderr)
    assert.match(updated.stdout, /Updated: bridge bifrost -> http:\/\/bifrost-2:8080/)
    assert.deepEqual(callsSince(from).slice(-3), [
      'POST /sessions',
      'GET /v2/bridge_types/bifrost',
      'PATCH /v2/bridge_types/bifrost',
    ])
    assert.equal(api.bridges.get('bifrost')?.url, 'http://bifrost-2:8080')
    assertNoSecrets(updated)
  })

  test('--streaming turns the connection manager on, and needs the streaming bridge URL', async () => {
    const noUrl = await register('--name', 'bifrost-stream', '--streaming')
    assert.equal(noUrl.code, 1)
    assert.match(noUrl.stderr, /--url is required with --streaming/)
    const result = await register('--name', 'bifrost-stream', '--streaming', '--url', 'http://bifrost:8090')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(api.bridges.get('bifrost-stream')?.useConnectionManager, true)
  })

  test('a session cookie replaces logging in', async () => {
    const from = api.calls.length
    const result = await runCli([
      'bridge',
      'register',
      '--node',
      api.url,
      '--cookie',
      api.sessionCookie(),
      '--url',
      'http://b:1',
      '--name',
      'by-cookie',
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(callsSince(from), ['GET /v2/bridge_types/by-cookie', 'POST /v2/bridge_types'])
    const stale = await runCli(['bridge', 'register', '--node', api.url, '--cookie', 'clsession=stale', '--name', 'x'])
    assert.equal(stale.code, 1)
    assert.match(stale.stderr, /HTTP 401.*log in again/)
  })

  test('a wrong password is refused with the reason, and is never printed', async () => {
    const wrong = join(mkdtempSync(join(tmpdir(), 'bifrost-bridge-')), 'password')
    writeFileSync(wrong, 'not-the-password-5f3a')
    const result = await runCli([
      'bridge',
      'register',
      '--node',
      api.url,
      '--email',
      api.email,
      '--password-file',
      wrong,
    ])
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /log in: the node at http:\/\/127\.0\.0\.1:\d+ refused operator@example\.com \(HTTP 401: Invalid email or password\)/,
    )
    assert.ok(!(result.stdout + result.stderr).includes('not-the-password-5f3a'))
  })

  test('missing credentials or node are named', async () => {
    const noNode = await runCli(['bridge', 'register'])
    assert.equal(noNode.code, 1)
    assert.match(noNode.stderr, /--node is required/)
    const badNode = await runCli(['bridge', 'register', '--node', 'chainlink:6688', '--cookie', 'x'])
    assert.match(badNode.stderr, /--node must be the node's http\(s\) URL/)
    const noLogin = await runCli(['bridge', 'register', '--node', api.url])
    assert.match(noLogin.stderr, /--email and --password-file.*--cookie/)
  })
})
