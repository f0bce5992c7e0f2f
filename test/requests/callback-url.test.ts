import assert from 'node:assert/strict'
import { test } from 'node:test'
import { callbackGuard, CallbackRefusedError } from '../../src/requests/callback-url'
import { requestSettings } from '../../src/requests/settings'

const refusal = (guard: ReturnType<typeof callbackGuard>, url: unknown): string => {
  try {
    guard(url)
  } catch (err) {
    assert.ok(err instanceof CallbackRefusedError)
    return err.message
  }
  assert.fail(`${String(url)} was allowed`)
}

test('the default allows loopback only, on any port', () => {
  const guard = callbackGuard(requestSettings.parse({}).allowedCallbackHosts)
  for (const url of [
    'http://localhost:6688/v2/resume/1',
    'http://LOCALHOST/v2/resume/1',
    'https://127.0.0.1:6689/v2/resume/1',
    'http://[::1]:6688/v2/resume/1',
    'http://127.1:6688/v2/resume/1',
  ]) {
    assert.equal(guard(url).pathname, '/v2/resume/1', url)
  }
  for (const url of [
    'http://10.0.0.5:6688/v2/resume/1',
    'http://169.254.169.254/latest/meta-data',
    'http://localhost.evil.example/v2/resume/1',
    'http://127.0.0.1@evil.example/v2/resume/1',
  ]) {
    assert.match(
      refusal(guard, url),
      /is not allowed; add it to requests\.allowedCallbackHosts \(REQUESTS_ALLOWED_CALLBACK_HOSTS\)/,
    )
  }
})

test('host:port entries allow that port only; ports are compared as the URL means them', () => {
  const guard = callbackGuard(['chainlink-1.internal:6688', 'chainlink-2.internal', '[fd00::1]:443'])
  guard('http://chainlink-1.internal:6688/v2/resume/1')
  guard('http://Chainlink-2.Internal:1234/v2/resume/1')
  guard('https://[fd00::1]/v2/resume/1')
  assert.match(refusal(guard, 'http://chainlink-1.internal:6689/x'), /chainlink-1\.internal:6689 is not allowed/)
  assert.match(refusal(guard, 'http://chainlink-1.internal/x'), /chainlink-1\.internal:80 is not allowed/)
  assert.match(refusal(guard, 'http://[fd00::1]/x'), /\[fd00::1\]:80 is not allowed/)
})

test('only an http(s) URL string passes', () => {
  const guard = callbackGuard(['localhost'])
  assert.match(refusal(guard, 'file:///etc/passwd'), /must use http or https/)
  assert.match(refusal(guard, 'gopher://localhost:70/x'), /must use http or https/)
  assert.match(refusal(guard, 'not a url'), /not a valid URL/)
  assert.match(refusal(guard, 42), /non-empty string/)
  assert.match(refusal(guard, ''), /non-empty string/)
})
