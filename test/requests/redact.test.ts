import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactUrl, scrubUrl } from '../../src/requests/redact'

const url = 'http://node-1.internal:6688/v2/resume/8e4c9c27-5a5d-4c7a-9d1a-0f3b2e6c1d11?x=1'

test('redactUrl keeps scheme, host and port, never the path', () => {
  assert.equal(redactUrl(url), 'http://node-1.internal:6688/[redacted]')
  assert.equal(redactUrl('https://[::1]/v2/resume/abc'), 'https://[::1]/[redacted]')
  assert.equal(redactUrl('not a url /v2/resume/abc'), '[redacted]')
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
    assert.ok(scrubbed.includes('http://node-1.internal:6688/[redacted]'), scrubbed)
  }
  assert.equal(scrubUrl('connect ECONNREFUSED 10.0.0.1:6688', url), 'connect ECONNREFUSED 10.0.0.1:6688')
})
