import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load'
import { ConfigError } from '../../src/errors'
import { isLoopback } from '../../src/http/settings'

const refusal = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig({ env })
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  assert.fail('expected a ConfigError')
}

test('the status page listens on 127.0.0.1:8081 without a token by default', () => {
  const { http } = loadConfig({ env: {} })
  assert.deepEqual(http, { enabled: true, host: '127.0.0.1', port: 8081, cors: [] })
})

test('a non-loopback http.host without a token stops start-up, naming http.token and HTTP_HOST', () => {
  const err = refusal({ HTTP_HOST: '0.0.0.0' })
  assert.equal(err.issues[0].path, 'http.token')
  assert.match(err.message, /http\.token.*required when http\.host \(HTTP_HOST\) is 0\.0\.0\.0/)
})

test('a token opens any host; a disabled API needs none', () => {
  assert.equal(loadConfig({ env: { HTTP_HOST: '0.0.0.0', HTTP_TOKEN: 'a-long-enough-token' } }).http.host, '0.0.0.0')
  assert.equal(loadConfig({ env: { HTTP_HOST: '10.0.0.5', HTTP_ENABLED: 'false' } }).http.enabled, false)
})

test('a short token and an origin with a path are refused naming their settings', () => {
  assert.equal(refusal({ HTTP_TOKEN: 'short' }).issues[0].path, 'http.token')
  assert.equal(refusal({ HTTP_CORS: 'https://a.example.com/app' }).issues[0].path, 'http.cors.0')
})

test('loopback means 127.0.0.0/8, ::1 and localhost', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopback(host), host)
  for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1']) assert.ok(!isLoopback(host), host)
})

test('the token is a secret: redacted wherever the configuration is printed', async () => {
  const { redactConfig } = await import('../../src/config/load')
  const config = loadConfig({ env: { HTTP_TOKEN: 'a-long-enough-token' } })
  assert.doesNotMatch(JSON.stringify(redactConfig(config)), /a-long-enough-token/)
})

test("the Docker image serves the page on all interfaces, and the README's docker run line gives it the token it then needs", async () => {
  const { readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { repoRoot } = await import('../../src/dev/paths')
  const dockerfile = readFileSync(join(repoRoot(), 'Dockerfile'), 'utf8')
  assert.match(dockerfile, /HTTP_HOST=0\.0\.0\.0/)
  assert.match(dockerfile, /EXPOSE [\d ]*\b8081\b/)
  assert.match(dockerfile, /COPY web \.\/web/)
  const run = readFileSync(join(repoRoot(), 'README.md'), 'utf8').match(/`docker run [^`]+`/)?.[0] ?? ''
  assert.match(run, /-p 8081:8081/)
  assert.match(run, /-e HTTP_TOKEN=/)
  assert.throws(() => loadConfig({ env: { HTTP_HOST: '0.0.0.0' } }), /http\.token/)
})
