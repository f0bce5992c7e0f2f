import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactUrl, scrubUrl } from '../src/redact'

const url = 'http://node-1.internal:6688/v2/resume/8e4c9c27-5a5d-4c7a-9d1a-0f3b2e6c1d11?x=1'

test('redactUrl keeps scheme, host and port, never the path, query or userinfo', () => {
  assert.equal(redactUrl(url), 'http://node-1.internal:6688/…')
  assert.equal(redactUrl('https://[::1]/v2/resume/abc'), 'https://[::1]/…')
  assert.equal(redactUrl('https://mainnet.infura.io/v3/0123456789abcdef'), 'https://mainnet.infura.io/…')
  assert.equal(redactUrl('https://rpc.example/?apikey=0123456789abcdef'), 'https://rpc.example/…')
  assert.equal(redactUrl('https://user:s3cret@rpc.example'), 'https://rpc.example/…')
  assert.equal(redactUrl('http://127.0.0.1:8545'), 'http://127.0.0.1:8545', 'nothing hidden, nothing marked')
  assert.equal(redactUrl('not a url /v2/resume/abc'), '…')
})

test('scrubUrl removes the URL from a message, whole, encoded or as a path', () => {
  const secret = '8e4c9c27-5a5d-4c7a-9d1a-0f3b2e6c1d11'
  const messages = [
    `fetch failed for ${url}: ECONNRESET`,
    `GET ${encodeURIComponent(url)} failed`,
    `PATCH /v2/resume/${secret}?x=1 returned 500`,
  ]
  for (const message of messages) {
    const scrubbed = scrubUrl(message, url)
    assert.ok(!scrubbed.includes(secret), scrubbed)
    assert.ok(scrubbed.includes('http://node-1.internal:6688/…'), scrubbed)
  }
  assert.equal(scrubUrl('connect ECONNREFUSED 10.0.0.1:6688', url), 'connect ECONNREFUSED 10.0.0.1:6688')
})

test('scrubUrl removes an API key a provider quotes on its own', () => {
  const rpc = 'https://mainnet.infura.io/v3/0123456789abcdef'
  assert.equal(scrubUrl('invalid project id 0123456789abcdef', rpc), 'invalid project id https://mainnet.infura.io/…')
})
