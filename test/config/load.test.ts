import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { loadConfig, redactConfig } from '../../src/config/load'
import { configReference } from '../../src/config/reference'
import { repoRoot } from '../../src/dev/paths'
import { ConfigError } from '../../src/errors'
import { createKafka } from '../../src/kafka/client'

const dir = mkdtempSync(join(tmpdir(), 'bifrost-config-'))
const file = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const configError = (fn: () => unknown): ConfigError => {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`)
    return err
  }
  assert.fail('expected a ConfigError')
}

describe('loadConfig', () => {
  test('embedded defaults need no file and no environment', () => {
    const config = loadConfig({ env: {} })
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092'])
    assert.deepEqual(config.feeds.topics, ['bifrost.feeds'])
    assert.equal(config.feeds.deadLetterTopic, 'bifrost.feeds.dlq')
    assert.equal(config.feeds.maxAgeSeconds, 300)
  })

  test('reads YAML from --config and JSON from BIFROST_CONFIG', () => {
    const yaml = file('a.yaml', 'kafka:\n  brokers: [ "k1:9092", "k2:9092" ]\nfeeds:\n  maxAgeSeconds: 60\n')
    assert.deepEqual(loadConfig({ file: yaml, env: {} }).kafka.brokers, ['k1:9092', 'k2:9092'])
    const json = file('a.json', JSON.stringify({ feeds: { topics: ['prices'] } }))
    assert.deepEqual(loadConfig({ env: { BIFROST_CONFIG: json } }).feeds.topics, ['prices'])
  })

  test('environment variables override the file, with lists comma-separated', () => {
    const yaml = file('b.yaml', 'kafka:\n  brokers: [ "file:9092" ]\n  clientId: from-file\n')
    const config = loadConfig({
      file: yaml,
      env: { KAFKA_BROKERS: ' a:1, b:2 ', KAFKA_SSL: 'true', FEEDS_MAX_AGE_SECONDS: '30' },
    })
    assert.deepEqual(config.kafka.brokers, ['a:1', 'b:2'])
    assert.equal(config.kafka.clientId, 'from-file')
    assert.equal(config.kafka.ssl, true)
    assert.equal(config.feeds.maxAgeSeconds, 30)
  })

  test('a bad setting fails naming its path, and its variable when it came from one', () => {
    const fromFile = configError(() => loadConfig({ file: file('c.yaml', 'feeds:\n  maxAgeSeconds: -5\n'), env: {} }))
    assert.equal(fromFile.issues[0].path, 'feeds.maxAgeSeconds')
    assert.match(fromFile.message, /feeds\.maxAgeSeconds/)
    const fromEnv = configError(() => loadConfig({ env: { KAFKA_BROKERS: 'no-port-here' } }))
    assert.equal(fromEnv.issues[0].path, 'kafka.brokers.0')
    assert.match(fromEnv.issues[0].message, /host:port.*KAFKA_BROKERS/)
    const notANumber = configError(() => loadConfig({ env: { FEEDS_MAX_AGE_SECONDS: 'soon' } }))
    assert.match(notANumber.message, /feeds\.maxAgeSeconds: .*number.*FEEDS_MAX_AGE_SECONDS/)
  })

  test('SASL needs credentials once a mechanism is set', () => {
    const err = configError(() => loadConfig({ env: { KAFKA_SASL_MECHANISM: 'plain' } }))
    assert.equal(err.issues[0].path, 'kafka.sasl')
    assert.match(err.issues[0].message, /username and password/)
    const bad = configError(() => loadConfig({ env: { KAFKA_SASL_MECHANISM: 'kerberos' } }))
    assert.equal(bad.issues[0].path, 'kafka.sasl.mechanism')
  })

  test('mutual TLS needs both kafka.sslCert and kafka.sslKey, and a PEM file that cannot be read is named by its setting', () => {
    const half = configError(() => loadConfig({ env: { KAFKA_SSL_CERT: '/etc/kafka/client.pem' } }))
    assert.equal(half.issues[0].path, 'kafka.sslKey')
    const config = loadConfig({ env: { KAFKA_SSL_CA: join(dir, 'no-such-ca.pem') } })
    const unreadable = configError(() => createKafka(config.kafka))
    assert.equal(unreadable.issues[0].path, 'kafka.sslCa')
    assert.match(unreadable.message, /cannot read .*no-such-ca\.pem/)
  })

  test('unreadable or malformed files are configuration errors', () => {
    assert.match(configError(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} })).message, /cannot read/)
    assert.match(
      configError(() => loadConfig({ file: file('d.yaml', 'kafka: [1, 2'), env: {} })).message,
      /not valid YAML/,
    )
    assert.match(
      configError(() => loadConfig({ file: file('e.yaml', '- 1\n'), env: {} })).message,
      /object at the top level/,
    )
  })

  test('a misspelt key in the file is refused with its path and the setting probably meant', () => {
    const err = configError(() => loadConfig({ file: file('typo.yaml', 'feeds:\n  maxAgeSecond: 5\n'), env: {} }))
    assert.deepEqual(err.issues, [
      { path: 'feeds.maxAgeSecond', message: 'unknown setting (did you mean feeds.maxAgeSeconds?)' },
    ])
    assert.match(err.message, /feeds\.maxAgeSecond: unknown setting \(did you mean feeds\.maxAgeSeconds\?\)/)
  })

  test('a key at the wrong level is pointed to where it lives, and one like no setting is refused plainly', () => {
    const err = configError(() =>
      loadConfig({ file: file('levels.yaml', 'maxAgeSeconds: 5\nkafka:\n  flavour: strong\n'), env: {} }),
    )
    assert.deepEqual(err.issues, [
      { path: 'maxAgeSeconds', message: 'unknown setting (did you mean feeds.maxAgeSeconds?)' },
      { path: 'kafka.flavour', message: 'unknown setting' },
    ])
  })

  test('unknown keys inside a chain are refused once, with a suggestion', () => {
    const chain = {
      name: 'c',
      chainId: 1,
      rpcUrls: ['http://127.0.0.1:8545'],
      confirmation: 3,
      contracts: [{ address: `0x${'1'.repeat(40)}`, kind: 'operator' }],
    }
    const err = configError(() =>
      loadConfig({ file: file('chain.json', JSON.stringify({ events: { chains: [chain] } })), env: {} }),
    )
    assert.deepEqual(err.issues, [
      {
        path: 'events.chains.0.confirmation',
        message: 'unknown setting (did you mean events.chains.0.confirmations?)',
      },
    ])
  })

  test('environment variables are not checked for unknown names, since other programs share them', () => {
    const config = loadConfig({ env: { FEEDS_MAX_AGE_SECOND: '5', KAFKA_FLAVOUR: 'strong' } })
    assert.equal(config.feeds.maxAgeSeconds, 300)
  })

  test('an allow-list entry no URL can name fails validation naming it, instead of crashing start-up', () => {
    const err = configError(() => loadConfig({ env: { REQUESTS_ALLOWED_CALLBACK_HOSTS: 'localhost,999.1.1.1' } }))
    assert.equal(err.issues[0].path, 'requests.allowedCallbackHosts.1')
    assert.match(err.issues[0].message, /not a host.*REQUESTS_ALLOWED_CALLBACK_HOSTS/)
  })

  test('settings that become timer delays stop at what Node timers honour (2^31-1 ms)', () => {
    const grace = configError(() => loadConfig({ env: { REQUESTS_CALLBACK_GRACE_SECONDS: '2147484' } }))
    assert.equal(grace.issues[0].path, 'requests.callbackGraceSeconds')
    assert.equal(
      loadConfig({ env: { REQUESTS_CALLBACK_GRACE_SECONDS: '2147483' } }).requests.callbackGraceSeconds,
      2147483,
    )
    const chain = {
      name: 'c',
      chainId: 1,
      rpcUrls: ['http://127.0.0.1:8545'],
      contracts: [{ address: `0x${'1'.repeat(40)}`, kind: 'operator' }],
    }
    for (const field of ['pollIntervalMs', 'rpcTimeoutMs']) {
      const err = configError(() =>
        loadConfig({ env: { EVENTS_CHAINS: JSON.stringify([{ ...chain, [field]: 2 ** 31 }]) } }),
      )
      assert.equal(err.issues[0].path, `events.chains.0.${field}`)
    }
  })

  test('secrets are redacted when the config is printed', () => {
    const config = loadConfig({
      env: { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'hunter2' },
    })
    assert.equal(config.kafka.sasl.password, 'hunter2')
    const printed = JSON.stringify(redactConfig(config))
    assert.doesNotMatch(printed, /hunter2/)
    assert.match(printed, /"username":"svc"/)
  })

  test('URLs in the printed config show scheme and host only, never the key in their path, query or userinfo', () => {
    const rpcUrls = [
      'https://mainnet.infura.io/v3/KEY-IN-PATH',
      'https://user:KEY-IN-USERINFO@rpc.example.com',
      'http://127.0.0.1:8545/?apikey=KEY-IN-QUERY',
      'http://127.0.0.1:8546',
    ]
    const contracts = [{ address: `0x${'11'.repeat(20)}`, kind: 'operator' }]
    const config = loadConfig({
      env: {},
      defaults: { events: { chains: [{ name: 'c', chainId: 1, rpcUrls, contracts }] } },
    })
    const printed = redactConfig(config) as { events: { chains: Array<{ rpcUrls: string[] }> } }
    assert.deepEqual(printed.events.chains[0].rpcUrls, [
      'https://mainnet.infura.io/…',
      'https://rpc.example.com/…',
      'http://127.0.0.1:8545/…',
      'http://127.0.0.1:8546',
    ])
    assert.doesNotMatch(JSON.stringify(printed), /KEY-IN/)
  })
})

test('the README embeds the current configuration reference', () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8')
  assert.ok(
    readme.includes(configReference()),
    'README.md is out of date: paste the output of `bifrost config --reference` into its configuration section',
  )
})
